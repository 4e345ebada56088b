package cdn.preload.streams;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * What the topology must know of its topics as the cluster has them: how many partitions the input
 * topics have (so that a record can tell whether it already sits where its job's state is), and the
 * largest record that each output topic and the producer take (so that no answer or dead letter is
 * ever too large to be written).
 *
 * @param inputPartitions partitions of the jobs topic, and of the commands and progress topics (the same number)
 * @param maxErrorBytes the largest error event record, key, value and framing included
 * @param maxDeadLetterBytes the largest dead letter record, headers included
 * @param maxSnapshotBytes the largest snapshot record
 * @param maxStateBytes the largest job state record
 * @param maxReroutedBytes the largest record re-routed to its job's partition: what the repartition
 *     topic takes, which Kafka Streams creates with the broker's limit. A report or job re-routed
 *     with the input record it came in, for the dead letter it may become, carries a cut of that
 *     record where the whole would not fit ({@link DeadLetter#carried})
 */
public record TopicLayout(int inputPartitions, int maxErrorBytes, int maxDeadLetterBytes, int maxSnapshotBytes,
                          int maxStateBytes, int maxReroutedBytes) {
    /** Kafka's default {@code message.max.bytes}, what a topic takes unless it says otherwise. */
    public static final int BROKER_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    /**
     * The smallest limit an output topic may have: an error event or a dead letter without the
     * caller's key and value is at most a few KiB (its strings are bounded), and a snapshot needs
     * room for a job.
     */
    public static final int MIN_OUTPUT_BYTES = 16 * 1024;
    /**
     * The smallest limit the snapshots and job states topics may have: room for a job of
     * {@link #MAX_JOB_BYTES}, so that every job stored, under whatever limits it was stored, has a
     * snapshot and a state that fit.
     */
    public static final int MIN_JOB_OUTPUT_BYTES = TopicLayout.MAX_JOB_BYTES + TopicLayout.SNAPSHOT_ROOM + 1024;
    /**
     * The TopologyTestDriver's world: one partition per topic, and no size limit (the driver enforces
     * none).
     */
    public static final TopicLayout TEST_DRIVER = new TopicLayout(1, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Integer.MAX_VALUE, BROKER_DEFAULT_MAX_MESSAGE_BYTES);

    /**
     * The largest job stored, in bytes of its JSON (256 KiB, or less when snapshots or job states
     * must be smaller). A job travels whole in every snapshot, every job state and the answers
     * remembered for replays.
     */
    static final int MAX_JOB_BYTES = 256 * 1024;
    /**
     * What a snapshot adds to its job's document: the RequestId (escaped), and what merged counters
     * may add to the document (a job state adds less: its Generation). The record's key, header and
     * framing take less than another KiB.
     */
    private static final int SNAPSHOT_ROOM = 4 * 1024;
    /**
     * A record's framing in the worst case, as the producer estimates it: the batch header (61
     * bytes), the record's attributes, timestamp and offset deltas and length prefixes.
     */
    private static final int RECORD_OVERHEAD = 61 + 1 + 10 + 5 + 5 * 4;
    /** The framing of one header: the lengths of its key and value. */
    private static final int HEADER_OVERHEAD = 10;

    public TopicLayout {
        if (inputPartitions < 1) {
            throw new IllegalArgumentException("inputPartitions must be at least 1, got " + inputPartitions);
        }
    }

    /**
     * Whether a record keyed by a job Id sits on {@code partition} of its input topic where Kafka's
     * default partitioner (murmur2) places that key: then the job's state is on this task.
     */
    boolean isHome(byte[] idKey, int partition) {
        return partitionOf(idKey, inputPartitions) == partition;
    }

    /** The partition Kafka's default partitioner (murmur2, the Java client's) gives a key. */
    public static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** The largest job stored: its JSON in bytes. */
    int maxJobBytes() {
        return Math.min(MAX_JOB_BYTES, Math.min(maxSnapshotBytes, maxStateBytes) - SNAPSHOT_ROOM);
    }

    /** Whether {@code key} is the job Id {@code id}, byte for byte (a job Id is ASCII). */
    static boolean isKeyOf(byte[] key, String id) {
        if (key == null || key.length != id.length()) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (key[i] != id.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static byte[] keyOf(String id) {
        return id.getBytes(StandardCharsets.US_ASCII);
    }

    /** An upper bound of the bytes a record with these parts takes in its batch. */
    static long recordBytes(byte[] key, byte[] value, long headerBytes) {
        return RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length) + headerBytes;
    }

    /** The bytes one header takes in a record. */
    static long headerBytes(String key, byte[] value) {
        return HEADER_OVERHEAD + key.getBytes(StandardCharsets.UTF_8).length + (value == null ? 0 : value.length);
    }
}
