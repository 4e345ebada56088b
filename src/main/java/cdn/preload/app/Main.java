package cdn.preload.app;

import cdn.preload.config.Settings;
import cdn.preload.streams.ResetObserver;
import cdn.preload.streams.ResetTopology;
import cdn.preload.streams.TopicLayout;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jar's entry point: with no arguments, runs the processor until SIGTERM (or Ctrl-C), configured
 * from the environment; with arguments, runs a command of {@link Cli}.
 *
 * <p>Exit codes of the processor: 0 after a clean shutdown, 1 when the Streams client fails or the
 * topics are not usable, 2 for invalid settings.
 * Bad input never throws; any exception (a store, the broker, a bug) is logged and shuts the client
 * down, and the process exits 1: a supervisor that restarts it resumes from the last committed
 * transaction, so nothing is lost, skipped or answered twice.
 */
public final class Main {
    /** How long a shutdown waits for in-flight work to commit. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final String KAFKA_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.apache.kafka";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && System.getProperty(KAFKA_LOG_LEVEL) == null) {
            // Commands print answers; the clients' connection warnings would only clutter them.
            System.setProperty(KAFKA_LOG_LEVEL, "error");
        }
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int exitCode = Cli.execute(args, System.getenv(), out, err);
        if (exitCode != 0) {
            System.exit(exitCode); // never with 0: after SIGTERM, exit() would wait forever on the shutdown hook
        }
    }

    /**
     * The Streams client exactly as production runs it, for topics laid out as {@code layout} says,
     * with its failure policy installed: bad input never throws (the topology answers it or
     * dead-letters it), so an exception is a failure of the machinery or a bug, and the client stops
     * rather than skip or dead-letter a record it could not process. A restart resumes from the last
     * commit and processes that record again.
     */
    static KafkaStreams createStreams(Settings settings, TopicLayout layout, ResetObserver observer) {
        StreamsConfig config = new StreamsConfig(settings.kafka());
        DslStoreSuppliers stores = config.getConfiguredInstance(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG,
                DslStoreSuppliers.class);
        Topology topology = ResetTopology.build(settings.topics(), settings.rateLimit(), settings.replayRetention(), layout,
                stores, observer);
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

    /** Leaving the group lets the partitions move at once instead of after the session timeout. */
    public static void close(KafkaStreams streams) {
        streams.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }

    /**
     * Runs until SIGTERM or a failure of the client, then closes it and runs {@code afterClose}
     * (the local run stops its broker there, once the processor has committed and left).
     *
     * @return the exit code: 0 after a shutdown, 1 after a failure
     */
    static int run(Settings settings, Runnable afterClose) {
        ProcessorApp app = ProcessorApp.create(settings);
        KafkaStreams streams = app.streams();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean failed = new AtomicBoolean();
        streams.setStateListener((newState, oldState) -> {
            LOG.info("Processor state {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.ERROR) {
                failed.set(true);
                stopped.countDown();
            }
        });
        Thread shutdown = new Thread(() -> {
            LOG.info("Shutting down (closing within {})", CLOSE_TIMEOUT);
            app.close();
            afterClose.run();
            stopped.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);

        LOG.info("Starting {}: commands from {}, snapshots to {}, errors to {}, dead letters to {}",
                settings.kafka().getProperty("application.id"), settings.topics().commands(),
                settings.topics().snapshots(), settings.topics().errors(), settings.topics().deadLetters());
        app.start();
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
}
