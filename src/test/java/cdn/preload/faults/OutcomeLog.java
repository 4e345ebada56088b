package cdn.preload.faults;

import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything the processor has committed to its output topics, as a {@code read_committed} consumer
 * sees it, read in the background from the beginning, each record stamped with when it arrived.
 */
final class OutcomeLog implements AutoCloseable {
    /** One output record. {@code document} is null when the value is not JSON (a dead letter's may not be). */
    record Received(String topic, int partition, long offset, String key, byte[] keyBytes, byte[] value, JsonNode document,
                    Map<String, String> headers, long arrivedNanos) {
    }

    private final List<TopicPartition> partitions;
    private final List<Received> received = new ArrayList<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    /** How long the consumer waits for records in one poll, and a wait between two looks at its condition. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile RuntimeException failure;

    OutcomeLog(String bootstrapServers, List<TopicPartition> partitions) {
        this.partitions = partitions;
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(() -> read(consumer), "outcome-log");
        thread.setDaemon(true);
        thread.start();
    }

    private void read(KafkaConsumer<byte[], byte[]> consumer) {
        try (consumer) {
            while (running.get()) {
                List<Received> batch = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    batch.add(received(record));
                }
                synchronized (received) {
                    received.addAll(batch);
                }
                for (TopicPartition partition : partitions) {
                    positions.put(partition, consumer.position(partition));
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private static Received received(ConsumerRecord<byte[], byte[]> record) {
        long now = System.nanoTime();
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        JsonNode document;
        try {
            document = record.value() == null ? null : Workload.JSON.readTree(record.value());
        } catch (Exception notJson) {
            document = null;
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        return new Received(record.topic(), record.partition(), record.offset(), key, record.key(), record.value(), document,
                headers, now);
    }

    /** What has arrived on {@code topic} so far. */
    List<Received> on(String topic) {
        synchronized (received) {
            return received.stream().filter(r -> r.topic().equals(topic)).toList();
        }
    }

    int count(String... topics) {
        List<String> wanted = List.of(topics);
        synchronized (received) {
            return (int) received.stream().filter(r -> wanted.contains(r.topic())).count();
        }
    }

    /** How far the consumer has read, over all its partitions. */
    long positionSum() {
        return positions.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits until the consumer has read up to {@code offsets} (end offsets taken by the caller). */
    void awaitPositions(Map<TopicPartition, Long> offsets, Duration timeout) {
        await(() -> offsets.entrySet().stream()
                .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue()), timeout, "the outputs to be read to their end");
    }

    /**
     * Waits until {@code condition} holds, looking at it again every 100 ms (the consumer's poll);
     * fails after {@code timeout}, or at once if the consumer has failed.
     */
    void await(BooleanSupplier condition, Duration timeout, String what) {
        Wait.atMost(timeout, POLL).alias(what)
                .failFast(() -> {
                    if (failure != null) {
                        throw new AssertionError("The outcome consumer failed", failure);
                    }
                })
                .until(condition::getAsBoolean);
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
