package cdn.preload.app;

import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.TopicLayout;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The processor as it runs: the Streams client, its metrics, and its HTTP interface. {@link Main}
 * runs one; the tests run the same.
 *
 * <p>When the HTTP interface is on and {@code application.server} is not set, it is set to this
 * instance's address ({@code HTTP_HOST}, or the host name when that is 0.0.0.0, and the HTTP port),
 * so that other instances can fetch the jobs this one owns. Set {@code KAFKA_APPLICATION_SERVER} when
 * instances reach each other by another name.
 */
public final class ProcessorApp implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpApi http;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProcessorApp(Settings settings) {
        try {
            http = settings.http().enabled() ? new HttpApi(settings, registry) : null;
        } catch (IOException e) {
            throw new HttpSetupException("Cannot listen on " + settings.http().host() + ":" + settings.http().port()
                    + " for HTTP (set HTTP_PORT, or HTTP_ENABLED=false): " + e.getMessage(), e);
        }
        Settings effective = settings;
        if (http != null && settings.kafka().getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG) == null) {
            effective = settings.withKafkaProperty(StreamsConfig.APPLICATION_SERVER_CONFIG,
                    advertisedHost(settings.http().host()) + ":" + http.port());
        }
        streams = Main.createStreams(effective, layout(effective), new OutcomeMetrics(registry));
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (http != null) {
            String server = effective.kafka().getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
            http.serve(streams, HostInfo.buildFromEndpoint(server));
        }
    }

    public static ProcessorApp create(Settings settings) {
        return new ProcessorApp(settings);
    }

    public void start() {
        if (http != null) {
            http.start();
        }
        streams.start();
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The HTTP port (useful with HTTP_PORT=0), or -1 when the interface is off. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** Closes the processor (committing, leaving the group), then the HTTP interface. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Main.close(streams);
        streamsMetrics.close();
        if (http != null) {
            http.close();
        }
        registry.close();
    }

    /** The topics as the cluster has them: their partitions and the largest records they take. */
    private static TopicLayout layout(Settings settings) {
        Map<String, Object> producer = new StreamsConfig(settings.kafka()).getProducerConfigs("layout");
        // Always set: the settings give it a default, which a producer.-prefixed one overrides.
        int maxRequestSize = Integer.parseInt(String.valueOf(producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).trim());
        Object compression = producer.get(ProducerConfig.COMPRESSION_TYPE_CONFIG);
        boolean compressed = compression != null && !"none".equals(String.valueOf(compression).trim());
        try (Admin admin = KafkaOptions.admin(settings)) {
            return TopicSetup.layout(admin, TopicDefinitions.forTopics(settings.topics()), maxRequestSize, compressed);
        }
    }

    private static String advertisedHost(String listenHost) {
        if (!listenHost.equals("0.0.0.0") && !listenHost.equals("::")) {
            return listenHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }
}
