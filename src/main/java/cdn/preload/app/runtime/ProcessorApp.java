package cdn.preload.app.runtime;

import cdn.preload.app.http.HttpApi;
import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.ResetObserver;
import cdn.preload.streams.ResetTopology;
import cdn.preload.streams.TopicLayout;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor as it runs, and the one owner of its Streams client: it reads the topics' layout,
 * builds the client with its failure policy, binds the metrics, serves the HTTP interface, starts,
 * and closes them all. {@link #run} is the jar's processor; the tests create the same.
 *
 * <p>The failure policy: bad input never throws (the topology answers it or dead-letters it), so an
 * exception is a failure of the machinery or a bug, and the client stops rather than skip or
 * dead-letter a record it could not process. A restart resumes from the last commit and processes
 * that record again.
 *
 * <p>When the HTTP interface is on and {@code application.server} is not set, it is set to this
 * instance's address ({@code HTTP_HOST}, or the host name when that is 0.0.0.0, and the HTTP port),
 * so that other instances can fetch the jobs this one owns. Set {@code KAFKA_APPLICATION_SERVER} when
 * instances reach each other by another name.
 */
public final class ProcessorApp implements AutoCloseable {
    /** How long a shutdown waits for in-flight work to commit. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ProcessorApp.class);

    private final PrometheusMeterRegistry registry =
            StreamsMeters.withoutUnsafeGauge(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final Settings settings;
    private final HttpApi http;
    private final KafkaStreams streams;
    private final StreamsMeters streamsMetrics;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The topics as the processor read them at start. */
    private final TopicLayout layout;
    /** The readiness check's client, made on its first check. */
    private Admin admin;
    /** What the last look at the topics found, so that each change is logged once. */
    private TopicSetup.Readiness lastSeen = new TopicSetup.Readiness(List.of(), List.of());

    private ProcessorApp(Settings settings) {
        http = settings.http().enabled() ? new HttpApi(settings.http(), registry, this::topicStatus) : null;
        Settings effective = settings;
        if (http != null && settings.kafka().getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG) == null) {
            effective = settings.withKafkaProperty(StreamsConfig.APPLICATION_SERVER_CONFIG,
                    advertisedHost(settings.http().host()) + ":" + http.port());
        }
        this.settings = effective;
        layout = readLayout(effective);
        streams = createStreams(effective, layout, new OutcomeMetrics(registry));
        streamsMetrics = new StreamsMeters(streams, registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (http != null) {
            String server = effective.kafka().getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
            http.serve(streams, HostInfo.buildFromEndpoint(server), effective.topics().jobs(), layout.inputPartitions());
        }
    }

    public static ProcessorApp create(Settings settings) {
        return new ProcessorApp(settings);
    }

    /**
     * Runs the processor until SIGTERM or a failure of the client, then closes it and runs
     * {@code afterClose} (the local run stops its broker there, once the processor has committed and left).
     *
     * <p>After SIGTERM the JVM would exit with 143 (128 + 15) however cleanly the processor closed; the
     * shutdown hook ends it with 0 once the Streams client has closed within {@link #CLOSE_TIMEOUT},
     * with 1 when it has not. After a failure the failure's exit code stands.
     *
     * @return the exit code: 0 after a shutdown, 1 after a failure
     */
    public static int run(Settings settings, Runnable afterClose) {
        return run(settings, () -> { }, afterClose);
    }

    /** As {@link #run(Settings, Runnable)}, running {@code onRunning} when the client first reaches RUNNING. */
    public static int run(Settings settings, Runnable onRunning, Runnable afterClose) {
        ProcessorApp app = create(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        AtomicBoolean ran = new AtomicBoolean();
        app.streams.setStateListener((newState, oldState) -> {
            LOG.info("Processor state {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.RUNNING && ran.compareAndSet(false, true)) {
                onRunning.run();
            }
            if (newState == KafkaStreams.State.ERROR) {
                failed.set(true);
                stopped.countDown();
            }
        });
        Thread shutdown = new Thread(() -> {
            LOG.info("Shutting down (closing within {})", CLOSE_TIMEOUT);
            boolean clean = false;
            try {
                clean = app.closeCleanly();
                afterClose.run();
            } catch (RuntimeException e) {
                LOG.error("The shutdown failed: {}", e.toString(), e);
            } finally {
                stopped.countDown();
            }
            if (failed.get()) {
                return; // the JVM exits with the failure's code
            }
            if (clean) {
                LOG.info("Closed cleanly; exiting with 0");
            } else {
                LOG.error("The processor did not close cleanly within {}; exiting with 1. Restarted, it resumes from its"
                        + " last commit.", CLOSE_TIMEOUT);
            }
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(clean ? 0 : 1);
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        LOG.info("Starting {}: commands from {}, snapshots to {}, errors to {}, dead letters to {}",
                settings.kafka().getProperty("application.id"), settings.topics().commands(),
                settings.topics().snapshots(), settings.topics().errors(), settings.topics().deadLetters());
        try {
            app.start();
        } catch (RuntimeException e) {
            failed.set(true); // the caller exits with its code for this; the hook closes the processor
            throw e;
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failed.get()) {
            app.close();
            afterClose.run();
            return 1;
        }
        return 0;
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

    /**
     * Closes the processor (committing, and leaving the group so that its partitions move at once
     * instead of after the session timeout), then the HTTP interface.
     */
    @Override
    public void close() {
        closeCleanly();
    }

    /**
     * {@link #close()}: whether the Streams client closed within {@link #CLOSE_TIMEOUT} (false when
     * it was closed before).
     */
    public boolean closeCleanly() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        streamsMetrics.close(); // before the stores close (StreamsMeters)
        boolean clean = streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (http != null) {
            http.close();
        }
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
        registry.close();
        return clean;
    }

    /**
     * The topics as readiness sees them ({@link TopicSetup#readiness}): what stops this instance, and
     * what only differs from {@code topics/}. Called on the HTTP interface's checking thread.
     */
    private HttpApi.TopicStatus topicStatus() {
        synchronized (this) {
            if (closed.get()) {
                return new HttpApi.TopicStatus(List.of("the processor is closing"), List.of());
            }
            if (admin == null) {
                admin = KafkaClients.admin(settings);
            }
        }
        TopicSetup.Readiness readiness = TopicSetup.readiness(admin, TopicDefinitions.forTopics(settings.topics()),
                layout.inputPartitions());
        logChanges(readiness);
        return new HttpApi.TopicStatus(readiness.problems(), readiness.warnings());
    }

    /** Logs what the topics' problems and warnings became, once per change. */
    private synchronized void logChanges(TopicSetup.Readiness now) {
        if (!now.problems().equals(lastSeen.problems())) {
            if (now.problems().isEmpty()) {
                LOG.info("The topics are usable again.");
            } else {
                LOG.warn("Not ready, because of the topics: {}", now.problems());
            }
        }
        if (!now.warnings().equals(lastSeen.warnings()) && !now.warnings().isEmpty()) {
            LOG.warn("Topic warnings (the processor works with the topics as they are; 'topics check' compares them"
                    + " with topics/ in full): {}", now.warnings());
        }
        lastSeen = now;
    }

    /** The Streams client with the processor's topology and failure policy, for topics laid out as {@code layout} says. */
    private static KafkaStreams createStreams(Settings settings, TopicLayout layout, ResetObserver observer) {
        StreamsConfig config = new StreamsConfig(settings.kafka());
        DslStoreSuppliers stores = config.getConfiguredInstance(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
                DslStoreSuppliers.class);
        Topology topology = ResetTopology.build(settings.topics(), settings.rateLimit(), settings.replayRetention(), layout,
                stores, observer, settings.freshCommits());
        KafkaStreams streams = new KafkaStreams(topology, settings.kafka());
        streams.setUncaughtExceptionHandler(exception -> {
            LOG.error("The processor failed and stops: {}. Nothing was skipped or dead-lettered because of it; restarted,"
                    + " the processor resumes from its last commit.", rootCause(exception), exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        return streams;
    }

    private static String rootCause(Throwable exception) {
        Throwable cause = exception;
        for (int depth = 0; depth < 20 && cause.getCause() != null && cause.getCause() != cause; depth++) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    /**
     * The topics as the cluster has them: their partitions and the largest records they take. What
     * differs from {@code topics/} without stopping the processor is logged as a warning.
     */
    private TopicLayout readLayout(Settings settings) {
        Map<String, Object> producer = new StreamsConfig(settings.kafka()).getProducerConfigs("layout");
        // Always set: the settings give it a default, which a producer.-prefixed one overrides.
        int maxRequestSize = Integer.parseInt(String.valueOf(producer.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).trim());
        Object compression = producer.get(ProducerConfig.COMPRESSION_TYPE_CONFIG);
        boolean compressed = compression != null && !"none".equals(String.valueOf(compression).trim());
        List<TopicDefinition> definitions = TopicDefinitions.forTopics(settings.topics());
        try (Admin setup = KafkaClients.admin(settings)) {
            TopicLayout read = TopicSetup.layout(setup, definitions, maxRequestSize, compressed);
            try {
                logChanges(TopicSetup.readiness(setup, definitions, read.inputPartitions()));
            } catch (KafkaSetupException e) {
                LOG.warn("Cannot compare the topics with topics/: {}", e.getMessage());
            }
            return read;
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
