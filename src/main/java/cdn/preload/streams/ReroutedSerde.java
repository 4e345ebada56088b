package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Job;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.Progress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the repartition topic carries: every record re-routed to its job's partition, in one topic, so
 * that a task reads four partitions, not six. A record's first byte says what it is:
 * <ul>
 * <li>a command: its JSON object ({@code '{'}), with the RequestId assigned if it was;</li>
 * <li>a job whose counters are of generation 0: {@code 'J'} and its document;</li>
 * <li>a job of a higher generation: {@code 'G'}, the generation (8 bytes), its origin, then its value
 *     as it came (parsed again on arrival: such records are rare);</li>
 * <li>a progress report: {@code 'P'}, the job's Id (24 ASCII bytes), its generation (8 bytes), its
 *     counters (4 bytes each), its origin, then its value as it came;</li>
 * <li>a job's deletion: a tombstone.</li>
 * </ul>
 * An origin is the input record's partition (4 bytes), offset (8 bytes) and key (its length in 4
 * bytes, -1 for none, then its bytes): with the value as it came and the record's headers (which
 * the repartition topic carries), what a dead letter written on the job's partition shows. Where the
 * whole record would not fit in the repartition topic, its origin is cut ({@link DeadLetter#carried}):
 * such a record is tagged {@code 'H'} (for {@code 'G'}) or {@code 'Q'} (for {@code 'P'}), and what
 * was cut (its length in 4 bytes, then UTF-8) comes before the origin.
 */
final class ReroutedSerde implements Serde<Checked> {
    private static final byte JOB = 'J';
    private static final byte JOB_OF_A_GENERATION = 'G';
    private static final byte PROGRESS = 'P';
    private static final byte JOB_OF_A_GENERATION_CUT = 'H';
    private static final byte PROGRESS_CUT = 'Q';
    private static final int ID_LENGTH = JobId.LENGTH;
    /** The origin's partition, offset and key length. */
    private static final int ORIGIN_BYTES = Integer.BYTES + Long.BYTES + Integer.BYTES;
    /** What a re-routed job of a generation holds besides its origin's key and value: its key (the Id) and fields. */
    static final int JOB_OF_A_GENERATION_BYTES = ID_LENGTH + 1 + Long.BYTES + ORIGIN_BYTES;
    /** What a re-routed progress report holds besides its origin's key and value: its key (the Id) and fields. */
    static final int PROGRESS_BYTES = ID_LENGTH + 1 + ID_LENGTH + Long.BYTES + 2 * Integer.BYTES + ORIGIN_BYTES;

    private final Topics topics;

    ReroutedSerde(Topics topics) {
        this.topics = topics;
    }

    @Override
    public Serializer<Checked> serializer() {
        return (topic, checked) -> {
            if (checked instanceof Checked.Command command) {
                return Json.write(command.command());
            }
            if (checked instanceof Checked.Progress progress) {
                Progress report = progress.report();
                ByteBuffer bytes = withOrigin(progress.origin().cut() == null ? PROGRESS : PROGRESS_CUT,
                        ID_LENGTH + Long.BYTES + 2 * Integer.BYTES, progress.origin());
                bytes.put(report.id().getBytes(StandardCharsets.US_ASCII)).putLong(report.generation())
                        .putInt(report.urlSubmitted()).putInt(report.taskSubmitted());
                return withValue(bytes, progress.origin());
            }
            Checked.JobChange change = (Checked.JobChange) checked;
            if (change.job() == null) {
                return null;
            }
            if (change.generation() != 0) {
                ByteBuffer bytes = withOrigin(change.origin().cut() == null ? JOB_OF_A_GENERATION : JOB_OF_A_GENERATION_CUT,
                        Long.BYTES, change.origin());
                bytes.putLong(change.generation());
                return withValue(bytes, change.origin());
            }
            byte[] document = change.document();
            byte[] tagged = new byte[1 + document.length];
            tagged[0] = JOB;
            System.arraycopy(document, 0, tagged, 1, document.length);
            return tagged;
        };
    }

    @Override
    public Deserializer<Checked> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return Checked.JobChange.DELETE;
            }
            switch (bytes[0]) { // never empty: see the serializer
                case JOB:
                    return new Checked.JobChange(Json.read(bytes, 1, bytes.length - 1, Job.class),
                            Arrays.copyOfRange(bytes, 1, bytes.length), 0, null, false);
                case JOB_OF_A_GENERATION, JOB_OF_A_GENERATION_CUT: {
                    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                    long generation = in.getLong();
                    // Only its headers are ever cut: a job is far smaller than a record (TopicLayout.maxJobBytes).
                    Origin origin = origin(in, topics.jobs(), bytes[0] == JOB_OF_A_GENERATION_CUT);
                    Job job = Json.read(origin.value(), Job.class);
                    return new Checked.JobChange(job, Json.write(job), generation, origin, false);
                }
                case PROGRESS, PROGRESS_CUT: {
                    ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                    String id = new String(bytes, 1, ID_LENGTH, StandardCharsets.US_ASCII);
                    in.position(1 + ID_LENGTH);
                    Progress report = new Progress(id, in.getLong(), in.getInt(), in.getInt());
                    return new Checked.Progress(report, origin(in, topics.progress(), bytes[0] == PROGRESS_CUT), false);
                }
                default:
                    return new Checked.Command(CommandParser.parse(bytes), false);
            }
        };
    }

    /** A buffer for a record of {@code tag} with {@code fields} bytes of its own, then the origin (written last). */
    private static ByteBuffer withOrigin(byte tag, int fields, Origin origin) {
        int keyLength = origin.key() == null ? 0 : origin.key().length;
        int cutLength = origin.cut() == null ? 0 : Integer.BYTES + origin.cut().getBytes(StandardCharsets.UTF_8).length;
        ByteBuffer bytes = ByteBuffer.allocate(1 + fields + cutLength + ORIGIN_BYTES + keyLength + origin.value().length);
        return bytes.put(tag);
    }

    private static byte[] withValue(ByteBuffer bytes, Origin origin) {
        if (origin.cut() != null) {
            byte[] cut = origin.cut().getBytes(StandardCharsets.UTF_8);
            bytes.putInt(cut.length).put(cut);
        }
        bytes.putInt(origin.partition()).putLong(origin.offset());
        if (origin.key() == null) {
            bytes.putInt(-1);
        } else {
            bytes.putInt(origin.key().length).put(origin.key());
        }
        return bytes.put(origin.value()).array();
    }

    private static Origin origin(ByteBuffer in, String topic, boolean cut) {
        String what = null;
        if (cut) {
            byte[] text = new byte[in.getInt()];
            in.get(text);
            what = new String(text, StandardCharsets.UTF_8);
        }
        int partition = in.getInt();
        long offset = in.getLong();
        int keyLength = in.getInt();
        byte[] key = null;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            in.get(key);
        }
        byte[] value = new byte[in.remaining()];
        in.get(value);
        return new Origin(topic, partition, offset, key, value, what);
    }
}
