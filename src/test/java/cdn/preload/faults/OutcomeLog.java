package cdn.preload.faults;

import cdn.preload.testing.OutputReader;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Everything the processor has committed to its output topics, as a {@code read_committed} consumer
 * sees it, read in the background from the beginning, each record stamped with when it arrived.
 */
final class OutcomeLog implements AutoCloseable {
    /** One output record. {@code document} is null when the value is not JSON (a dead letter's may not be). */
    record Received(String topic, int partition, long offset, String key, byte[] keyBytes, byte[] value, JsonNode document,
                    Map<String, String> headers, long arrivedNanos) {
    }

    private final List<Received> received = new ArrayList<>();
    /** How long the consumer waits for records in one poll, and a wait between two looks at its condition. */
    private static final Duration POLL = Duration.ofMillis(100);

    private final OutputReader reader;

    OutcomeLog(String bootstrapServers, List<TopicPartition> partitions) {
        reader = OutputReader.ofPartitions("outcome-log", bootstrapServers,
                Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20), partitions, POLL, (record, arrived) -> {
                    Received outcome = received(record, arrived);
                    synchronized (received) {
                        received.add(outcome);
                    }
                });
    }

    private static Received received(ConsumerRecord<byte[], byte[]> record, long now) {
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
        return reader.positionSum();
    }

    /** Waits until the consumer has read up to {@code offsets} (end offsets taken by the caller). */
    void awaitPositions(Map<TopicPartition, Long> offsets, Duration timeout) {
        await(() -> offsets.entrySet().stream()
                .allMatch(e -> reader.position(e.getKey()) >= e.getValue()), timeout, "the outputs to be read to their end");
    }

    /**
     * Waits until {@code condition} holds, looking at it again every 100 ms (the consumer's poll);
     * fails after {@code timeout}, or at once if the consumer has failed.
     */
    void await(BooleanSupplier condition, Duration timeout, String what) {
        Wait.atMost(timeout, POLL).alias(what)
                .failFast(() -> {
                    if (reader.failure() != null) {
                        throw new AssertionError("The outcome consumer failed", reader.failure());
                    }
                })
                .until(condition::getAsBoolean);
    }

    @Override
    public void close() {
        reader.close();
    }
}
