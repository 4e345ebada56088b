package cdn.preload.streams;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Places every record the processor writes where Kafka's default partitioner (murmur2) places its
 * key, whatever partitioner the producer is configured with ({@code partitioner.class},
 * {@code partitioner.ignore.keys}). The processor relies on it twice: a record re-routed through the
 * repartition topic must reach the task that holds its job, and an answer must be on the partition
 * where a caller that knows the key looks for it. A record without a key has no place of its own:
 * the producer's partitioner chooses.
 */
final class KeyPartitioner implements StreamPartitioner<byte[], Object> {
    static final KeyPartitioner INSTANCE = new KeyPartitioner();
    /** The answer for each partition, made once: placing a record allocates nothing. */
    private static final int CACHED = 256;
    private static final Optional<Set<Integer>>[] PLACES = places();

    private KeyPartitioner() {
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, Object value, int numPartitions) {
        if (key == null) {
            return Optional.empty();
        }
        int partition = TopicLayout.partitionOf(key, numPartitions);
        return partition < CACHED ? PLACES[partition] : Optional.of(Set.of(partition));
    }

    @SuppressWarnings("unchecked")
    private static Optional<Set<Integer>>[] places() {
        Optional<Set<Integer>>[] places = new Optional[CACHED];
        for (int partition = 0; partition < CACHED; partition++) {
            places[partition] = Optional.of(Set.of(partition));
        }
        return places;
    }
}
