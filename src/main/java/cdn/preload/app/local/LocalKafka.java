package cdn.preload.app.local;

import cdn.preload.app.runtime.KafkaSetupException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process), run as a child
 * process from the {@code kafka_2.13} artifact: the local run and the integration tests use it.
 * Its data directory survives a stop, so a restart finds its topics and offsets again.
 */
public final class LocalKafka implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /**
     * What the broker logs once it serves (Kafka's KafkaBroker.STARTED_MESSAGE, logged by
     * KafkaRaftServer, whose logger is kept at info for it).
     */
    private static final String STARTED = "Kafka Server started";

    private final String classpath;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> extraSettings;
    private Process process;

    private LocalKafka(String classpath, Path dir, int port, int controllerPort, Map<String, String> extraSettings) {
        this.classpath = classpath;
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.extraSettings = Map.copyOf(extraSettings);
    }

    /**
     * Formats {@code dir} if it is new, starts the broker and waits until it answers.
     *
     * @param classpath the broker's classpath (the {@code kafka_2.13} jar and its dependencies)
     */
    public static LocalKafka start(String classpath, Path dir, int port, int controllerPort) {
        return start(classpath, dir, port, controllerPort, Map.of());
    }

    /** As above, with broker settings of the caller's own added to (or replacing) the local broker's. */
    public static LocalKafka start(String classpath, Path dir, int port, int controllerPort, Map<String, String> extraSettings) {
        LocalKafka kafka = new LocalKafka(classpath, dir, port, controllerPort, extraSettings);
        kafka.start();
        return kafka;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the broker again on the same ports and data (after {@link #stop()} or {@link #kill()}). */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        requireFree(port, "LOCAL_KAFKA_PORT");
        requireFree(controllerPort, "LOCAL_KAFKA_CONTROLLER_PORT");
        try {
            Files.createDirectories(dir);
            Path config = writeConfig();
            if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
                format(config);
            }
            process = java("kafka.Kafka", config.toString()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the local Kafka broker in " + dir, e);
        }
        awaitReady(copyLog(process));
    }

    /**
     * Copies the broker's output to {@link #log()} on a thread of its own; the future completes when
     * the broker says it has started.
     */
    private CompletableFuture<Void> copyLog(Process broker) {
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            BufferedWriter log = null;
            try {
                log = Files.newBufferedWriter(log(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("Cannot write the local broker's log " + log() + ": " + e.getMessage());
            }
            try (BufferedReader output = broker.inputReader(StandardCharsets.UTF_8)) {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (!started.isDone() && line.contains(STARTED)) {
                        started.complete(null);
                    }
                    log = append(log, line);
                }
            } catch (IOException e) {
                started.completeExceptionally(e);
            } finally {
                append(log, null);
            }
        }, "local-kafka-log");
        copier.setDaemon(true);
        copier.start();
        return started;
    }

    /**
     * Appends {@code line} to the log (null: closes it); after a write error the log is dropped, and
     * the broker's output still read, so that the broker never blocks on a full pipe.
     */
    private BufferedWriter append(BufferedWriter log, String line) {
        if (log == null) {
            return null;
        }
        try {
            if (line == null) {
                log.close();
                return null;
            }
            log.write(line);
            log.newLine();
            log.flush();
            return log;
        } catch (IOException e) {
            System.err.println("Cannot write the local broker's log " + log() + ": " + e.getMessage());
            try {
                log.close();
            } catch (IOException ignored) {
                // already failing
            }
            return null;
        }
    }

    /** SIGTERM, as an operator would stop it; SIGKILL if it has not stopped within 30 s. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: the broker dies without a clean shutdown. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    public Path log() {
        return dir.resolve("broker.log");
    }

    private Path writeConfig() throws IOException {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.bootstrap.servers", "localhost:" + controllerPort);
        settings.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("log.dirs", dir.resolve("data").toString());
        // One broker: internal topics with one replica, or consumer groups and transactions hang.
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "3");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "3");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("default.replication.factor", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        // Topics come from topics/, as in production; a typo must not create a topic.
        settings.put("auto.create.topics.enable", "false");
        settings.putAll(extraSettings);
        StringBuilder text = new StringBuilder("# Written by LocalKafka; rewritten at every start.\n");
        settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        Path config = dir.resolve("server.properties");
        Files.writeString(config, text.toString(), StandardCharsets.UTF_8);
        return config;
    }

    private void format(Path config) throws IOException {
        String clusterId = UUID.randomUUID().toString().replace("-", "").substring(0, 22);
        Process format = java("kafka.tools.StorageTool", "format", "--standalone", "-t", clusterId, "-c", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                .start();
        try {
            if (format.waitFor() != 0) {
                throw new KafkaSetupException("Formatting the local Kafka storage failed; see " + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted while formatting the local Kafka storage", e);
        }
    }

    /**
     * A JVM with SIGINT ignored: Ctrl-C in a terminal signals the whole foreground process group, and
     * the broker must outlive the processor's close (its last commit, its leaving the group), so it
     * is stopped by its owner, with SIGTERM, after the processor.
     */
    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                "/bin/sh", "-c", "trap '' INT; exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // The heap and GC settings of Kafka's own start scripts (kafka-server-start.sh and
                // kafka-run-class.sh). With half that heap, the broker's G1 started a concurrent cycle
                // at every produce request of over half a region (a humongous allocation), and spent
                // as much CPU on it as on the requests (docs/PERFORMANCE.md).
                "-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info",
                "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    /**
     * Waits for the broker to say it has started (not polling it: a client polling a broker that
     * is not up yet logs a warning at every attempt), then for it to answer.
     */
    private void awaitReady(CompletableFuture<Void> started) {
        try {
            CompletableFuture.anyOf(started, process.onExit()).get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!process.isAlive()) {
                throw new KafkaSetupException("The local Kafka broker exited with code " + process.exitValue()
                        + "; see " + log());
            }
            Map<String, Object> config = Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) READY_TIMEOUT.toMillis());
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster().nodes().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (TimeoutException | ExecutionException e) {
            stop();
            throw new KafkaSetupException("The local Kafka broker did not answer within " + READY_TIMEOUT.toSeconds()
                    + " s; see " + log(), e);
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted while starting the local Kafka broker", e);
        }
    }

    private static void requireFree(int port, String setting) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("localhost"))) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new KafkaSetupException("Port " + port + " is already in use (another Kafka broker?). Stop it, choose"
                    + " another port with " + setting + ", or use a running cluster with KAFKA_BOOTSTRAP_SERVERS.");
        }
    }

    /** A port nothing listens on right now, for tests. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
