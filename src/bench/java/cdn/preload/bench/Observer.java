package cdn.preload.bench;

import cdn.preload.testing.OutputReader;
import cdn.preload.testing.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Counts what becomes visible on output topics ({@link OutputReader}, read_committed) and when: a
 * chosen arrival and the last, and, for records whose RequestId was registered with {@link #sent},
 * the time from send to visible. A read_uncommitted one sees records as soon as they are written,
 * before their transaction commits.
 */
final class Observer implements AutoCloseable {
    private static final byte[] REQUEST_ID = "\"RequestId\":\"".getBytes(StandardCharsets.UTF_8);
    /** How long a topic just created may take to be known (each question waits up to 10 s for the broker). */
    private static final Duration METADATA = Duration.ofMinutes(2);

    private final AtomicLong count = new AtomicLong();
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final List<long[]> latencies = new ArrayList<>();
    private final OutputReader reader;
    private volatile long markNanos;
    private volatile long lastNanos;
    private volatile long mark = 1;
    private volatile Runnable atMark = () -> { };

    Observer(String bootstrapServers, List<String> topics, boolean fromEnd) {
        this(bootstrapServers, topics, fromEnd, "read_committed");
    }

    Observer(String bootstrapServers, List<String> topics, boolean fromEnd, String isolationLevel) {
        reader = OutputReader.ofTopics("observer", bootstrapServers, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                // -Dbench.observer.fetch.max.wait.ms: how long the broker may hold an empty fetch (Java's default 500)
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.getInteger("bench.observer.fetch.max.wait.ms", 500)),
                topics, fromEnd, Duration.ofMillis(20), this::arrived);
    }

    /** Runs {@code action} when the {@code n}-th record (from 1) becomes visible, and notes the time. */
    void at(long n, Runnable action) {
        mark = n;
        atMark = action;
    }

    /** Registers a RequestId as sent now; its answer will yield a latency. */
    void sent(String requestId) {
        sentAt.put(requestId, System.nanoTime());
    }

    private void arrived(ConsumerRecord<byte[], byte[]> record, long now) {
        if (count.incrementAndGet() == mark) {
            markNanos = now;
            atMark.run();
        }
        lastNanos = now;
        if (!sentAt.isEmpty() && record.value() != null) {
            Long sent = sentAt.remove(requestId(record.value()));
            if (sent != null) {
                synchronized (latencies) {
                    latencies.add(new long[] {sent, now - sent});
                }
            }
        }
    }

    private static String requestId(byte[] json) {
        outer:
        for (int i = 0; i + REQUEST_ID.length < json.length; i++) {
            for (int j = 0; j < REQUEST_ID.length; j++) {
                if (json[i + j] != REQUEST_ID[j]) {
                    continue outer;
                }
            }
            int start = i + REQUEST_ID.length;
            int end = start;
            while (end < json.length && json[end] != '"') {
                end++;
            }
            return new String(json, start, end - start, StandardCharsets.UTF_8);
        }
        return "";
    }

    long count() {
        return count.get();
    }

    /** The count once no record has become visible for {@code quiet}: all there is, once the writers are done. */
    long settledCount(Duration quiet) {
        AtomicLong before = new AtomicLong(-1);
        Wait.atMost(METADATA, quiet).alias("the observer to catch up").until(() -> {
            long now = count();
            return before.getAndSet(now) == now;
        });
        return before.get();
    }

    /** When the record given to {@link #at} became visible. */
    long markNanos() {
        return markNanos;
    }

    long lastNanos() {
        return lastNanos;
    }

    /** The latencies measured so far, each as its send time and its latency in nanoseconds, and forgets them. */
    long[][] takeLatencies() {
        synchronized (latencies) {
            long[][] taken = latencies.toArray(long[][]::new);
            latencies.clear();
            return taken;
        }
    }

    int pending() {
        return sentAt.size();
    }

    @Override
    public void close() {
        reader.close();
    }
}
