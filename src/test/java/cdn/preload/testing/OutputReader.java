package cdn.preload.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads output topics in the background, on a thread of its own, as a caller would (by default
 * {@code read_committed}), and hands each record to a listener with the time it arrived. The fault
 * suite keeps every record ({@code faults.OutcomeLog}); the benchmarks count them and time their
 * answers ({@code bench.Observer}).
 */
public final class OutputReader implements AutoCloseable {
    /** What is done with each record, on the reader's thread, as it arrives ({@link System#nanoTime}). */
    @FunctionalInterface
    public interface Listener {
        void arrived(ConsumerRecord<byte[], byte[]> record, long arrivedNanos);
    }

    /** How long a topic just created may take to be known (each question waits up to 10 s for the broker). */
    private static final Duration METADATA = Duration.ofMinutes(2);

    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile RuntimeException failure;

    /**
     * Reads {@code topics} (all their partitions, once the broker knows them) from their beginning
     * or, with {@code fromEnd}, from their end as it is now.
     *
     * @param config consumer properties beyond the bootstrap servers, which win over the reader's own
     *     ({@code read_committed}, no commits)
     * @param poll the longest a poll waits for records
     */
    public static OutputReader ofTopics(String name, String bootstrapServers, Map<String, Object> config,
                                        List<String> topics, boolean fromEnd, Duration poll, Listener listener) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, config);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> found = Wait.atMost(METADATA, Duration.ZERO).alias("the partitions of " + topic)
                    .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(10)), known -> !known.isEmpty());
            found.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return new OutputReader(name, consumer, partitions, fromEnd, poll, listener);
    }

    /** Reads {@code partitions} from their beginning; as {@link #ofTopics} otherwise. */
    public static OutputReader ofPartitions(String name, String bootstrapServers, Map<String, Object> config,
                                            List<TopicPartition> partitions, Duration poll, Listener listener) {
        return new OutputReader(name, consumer(bootstrapServers, config), partitions, false, poll, listener);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, Map<String, Object> config) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.putAll(config);
        return new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private OutputReader(String name, KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                         boolean fromEnd, Duration poll, Listener listener) {
        this.partitions = List.copyOf(partitions);
        consumer.assign(partitions);
        if (fromEnd) {
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        } else {
            consumer.seekToBeginning(partitions);
        }
        thread = new Thread(() -> read(consumer, poll, listener), name);
        thread.setDaemon(true);
        thread.start();
    }

    private void read(KafkaConsumer<byte[], byte[]> consumer, Duration poll, Listener listener) {
        try (consumer) {
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(poll)) {
                    listener.arrived(record, System.nanoTime());
                }
                for (TopicPartition partition : partitions) {
                    positions.put(partition, consumer.position(partition));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The next offset to read of {@code partition}, as of the last poll; -1 before the first. */
    public long position(TopicPartition partition) {
        return positions.getOrDefault(partition, -1L);
    }

    /** How far the reader has read, over all its partitions. */
    public long positionSum() {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }

    /** What stopped the reader, or null while it reads. */
    public RuntimeException failure() {
        return failure;
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
