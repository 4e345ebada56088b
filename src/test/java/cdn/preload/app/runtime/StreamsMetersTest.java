package cdn.preload.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.testing.TestDirs;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.junit.jupiter.api.Test;

class StreamsMetersTest {
    /** Under target/, not the OS temp folder, of which Kafka Streams warns. */
    private final Path stateDir = TestDirs.create("streams-meters");

    @Test
    void theDeniedNameIsMicrometersNameOfKafkaStreamsUncommittedBytesGauge() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.table("in", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("store"));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), properties())) {
            MetricName gauge = driver.metrics().keySet().stream()
                    .filter(name -> name.description().contains("uncommitted bytes")).findFirst().orElseThrow();
            // Micrometer's Kafka binder: "kafka." + the group without "-metrics" + "." + the name, dashes as dots
            String meterName = ("kafka." + gauge.group().replace("-metrics", "") + "." + gauge.name()).replace('-', '.');
            assertThat(meterName).isEqualTo(StreamsMeters.UNSAFE_GAUGE);
        }
    }

    @Test
    void theGaugeThatReadsAClosingStoreIsNeverRegisteredAndClosingRemovesTheKafkaMeters() {
        PrometheusMeterRegistry registry = StreamsMeters.withoutUnsafeGauge(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in").to("out");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), properties())) {
            StreamsMeters meters = new StreamsMeters(streams, registry);
            assertThat(registry.getMeters()).anyMatch(meter -> meter.getId().getName().startsWith("kafka."));

            Gauge.builder(StreamsMeters.UNSAFE_GAUGE, () -> 1).register(registry);
            Gauge.builder("kafka.stream.state.num.open.iterators", () -> 1).register(registry);

            assertThat(registry.find(StreamsMeters.UNSAFE_GAUGE).gauge()).isNull();
            assertThat(registry.find("kafka.stream.state.num.open.iterators").gauge()).isNotNull();
            assertThat(registry.scrape()).doesNotContain("uncommitted").contains("kafka_stream_state_num_open_iterators");

            meters.close();
            assertThat(registry.getMeters()).noneMatch(meter -> meter.getId().getName().startsWith("kafka.stream.")
                    && !meter.getId().getName().equals("kafka.stream.state.num.open.iterators"));
        }
    }

    /** For a Streams client that is never started (it has its metrics, and needs no broker), or a driver. */
    private Properties properties() {
        Properties properties = new Properties();
        properties.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "streams-meters-test");
        properties.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1");
        properties.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // as the processor sets it, for the client and its main consumer (which Kafka Streams checks again)
        properties.setProperty(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        properties.setProperty(StreamsConfig.MAIN_CONSUMER_PREFIX + StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG,
                "true");
        return properties;
    }
}
