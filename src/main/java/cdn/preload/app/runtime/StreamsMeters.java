package cdn.preload.app.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka Streams' metrics on {@code /metrics}, through Micrometer's binder, without reading a store
 * that is being closed.
 *
 * <p>Kafka Streams 4.4 gives each store a gauge, {@code uncommitted-bytes} (group
 * {@code stream-state-metrics}), that for a transactional store reads the size of its native write
 * batch without checking that the store is open. Read while its store closes (at shutdown, or when
 * a rebalance moves its task away), it reads freed memory and the JVM dies with SIGSEGV in
 * {@code WriteBatch.getDataSize}: seen once here, when the binder's refresh (every minute) came as
 * the processor shut down. So that gauge is never registered ({@link #withoutUnsafeGauge}: no
 * scrape reads it), the binder's refresh, which reads every metric's value, runs only while the
 * client is {@code RUNNING} (tasks and their stores close during rebalances and shutdown, not while
 * running), and {@link #close} stops the binder before the Streams client closes.
 */
final class StreamsMeters implements AutoCloseable {
    /** The gauge that must never be read, by Micrometer's name for it. */
    static final String UNSAFE_GAUGE = "kafka.stream.state.uncommitted.bytes";

    private final ScheduledThreadPoolExecutor refresh;
    private final KafkaStreamsMetrics binder;

    /**
     * {@code registry}, which registers no meter of the gauge that must never be read. Given to a new
     * registry, before any meter is registered (Micrometer warns of a filter added later).
     */
    static <R extends MeterRegistry> R withoutUnsafeGauge(R registry) {
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals(UNSAFE_GAUGE)));
        return registry;
    }

    /** Binds Kafka Streams' metrics to a registry made {@link #withoutUnsafeGauge}. */
    StreamsMeters(KafkaStreams streams, MeterRegistry registry) {
        refresh = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "streams-meters");
            thread.setDaemon(true);
            return thread;
        }) {
            @Override
            public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
                return super.scheduleAtFixedRate(whileRunning(streams, command), initialDelay, period, unit);
            }

            @Override
            public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
                return super.scheduleWithFixedDelay(whileRunning(streams, command), initialDelay, delay, unit);
            }
        };
        binder = new KafkaStreamsMetrics(streams, List.of(), refresh);
        binder.bindTo(registry);
    }

    private static Runnable whileRunning(KafkaStreams streams, Runnable command) {
        return () -> {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                command.run();
            }
        };
    }

    /** Stops reading Kafka Streams' metrics and removes their meters. */
    @Override
    public void close() {
        refresh.shutdownNow();
        binder.close();
    }
}
