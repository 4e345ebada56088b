package cdn.preload.app.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cdn.preload.app.cli.Cli;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.ChildProcess.Result;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The README's run command, bin/run, as a user runs it: a broker, the topics, the processor, and a clean stop. */
class LocalRunIT {
    private static final Duration READY = Duration.ofSeconds(180);
    /** How long a wait on bin/run gives it between two looks. */
    private static final Duration LOOK_AGAIN = Duration.ofMillis(100);

    /**
     * bin/run with {@code env} added to this JVM's environment (a cluster named there taken out), its
     * output kept; closing it stops it as a supervisor would, and kills it, with its broker, if it
     * has not stopped within a minute.
     */
    private static ChildProcess start(Map<String, String> env) {
        return ChildProcess.command("bin/run").withoutEnv("KAFKA_BOOTSTRAP_SERVERS").env(env)
                .closeGrace(Duration.ofSeconds(60)).start();
    }

    /** Waits until bin/run prints {@code text}; fails at once if it exits. */
    private static void await(ChildProcess run, String text) {
        Wait.atMost(READY, LOOK_AGAIN).alias("waiting for '" + text + "'")
                .failFast(() -> assertThat(run.isAlive()).as("bin/run exited early:\n%s", run.output()).isTrue())
                .until(() -> run.printed(text));
    }

    @Test
    void runStartsABrokerAndTheProcessorWhichAnswersAndSigtermStopsBothWithExitCode0() throws Exception {
        int port = LocalKafka.freePort();
        // Not in the OS's temp directory, which Kafka Streams warns about for its state, as it should.
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "preload-local-run");
        long started = System.nanoTime();
        try (ChildProcess run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port),
                "LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(LocalKafka.freePort()),
                "LOCAL_KAFKA_DIR", dir.toString(), "HTTP_PORT", "0"))) {
            List<ProcessHandle> family;
            try {
                await(run, "REBALANCING -> RUNNING");
                System.out.printf("bin/run ready after %.1f s%n", (System.nanoTime() - started) / 1e9);
                await(run, "publish commands to   preload-job-reset-commands"); // printed once it runs
                assertThat(run.output().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                        .as("a fresh start warns of nothing:%n%s", run.output()).isEmpty();
                family = List.copyOf(run.handle().descendants().toList());
                assertThat(family).as("the broker runs as a child process").hasSize(1);
                assertIgnoresSigint(family.get(0));

                String bootstrap = "localhost:" + port;
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
                        new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>("preload-jobs", "665d3af3621bccf3fe29e1a4",
                            "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"u-1\",\"UrlSubmitted\":3,\"TaskSubmitted\":3}")).get();
                    producer.send(new ProducerRecord<>("preload-job-reset-commands", "665d3af3621bccf3fe29e1a4",
                            "{\"RequestId\":\"r-1\",\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"u-1\"}")).get();
                }
                assertThat(readOneSnapshot(bootstrap)).isEqualTo("{\"RequestId\":\"r-1\",\"AliUid\":\"u-1\",\"CreatedAt\":null,"
                        + "\"Domains\":null,\"ErrorInfo\":null,\"FailedFileOss\":null,\"FileId\":null,"
                        + "\"Id\":\"665d3af3621bccf3fe29e1a4\",\"InsertWay\":null,\"Name\":null,\"SiteId\":null,"
                        + "\"TaskSubmitted\":0,\"TaskType\":null,\"UrlCount\":null,\"UrlSubmitted\":0}");
            } finally {
                // SIGTERM, as a supervisor would (Ctrl-C is SIGINT, handled alike), to bin/run alone; its
                // output stays open, and we want to read how it stops.
                run.terminate();
            }
            assertThat(run.exitsWithin(Duration.ofSeconds(60))).as("bin/run stops").isTrue();
            assertThat(run.exitCode()).as("exit code after a clean shutdown:%n%s", run.output()).isZero();
            for (ProcessHandle child : family) {
                assertThat(child.onExit().get(60, TimeUnit.SECONDS).isAlive()).as("child %d", child.pid()).isFalse();
            }
            assertThat(run.printed("Stopping the local Kafka broker...")).as(run.output()).isTrue();
        }
        TestBroker.delete(dir);
    }

    /**
     * The README's examples, mixed as a user would mix them: a job put with the command line (the
     * Java client, murmur2) and reset with kcat (librdkafka, CRC32), and a job published with kcat and
     * reset with the command line. Skipped, saying so, where kcat is not installed.
     */
    @Test
    void theReadmesCommandLineAndKcatExamplesWorkInAnyMix() throws Exception {
        assumeTrue(kcat(List.of("-V"), "").exitCode() == 0, "kcat is not installed (apt-get install -y kcat)");
        int port = LocalKafka.freePort();
        Path dir = Files.createTempDirectory("preload-local-run");
        try (ChildProcess run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port),
                "LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(LocalKafka.freePort()),
                "LOCAL_KAFKA_DIR", dir.toString(), "HTTP_PORT", "0"))) {
            await(run, "REBALANCING -> RUNNING");
            String bootstrap = "localhost:" + port;
            URI jobs = URI.create("http://localhost:" + httpPort(run) + "/jobs/");
            String token = printedToken(run);

            assertThat(cli("jobs", "put", "examples/job.json", "--bootstrap-servers", bootstrap).exitCode()).isZero();
            awaitStatus(run, jobs.resolve("665d3af3621bccf3fe29e1a4?AliUid=15685865xxx14622"), token, 200);
            assertThat(kcat(List.of("-P", "-b", bootstrap, "-t", "preload-job-reset-commands", "-K|"),
                    "665d3af3621bccf3fe29e1a4|{\"RequestId\":\"r-kcat\",\"Id\":\"665d3af3621bccf3fe29e1a4\","
                            + "\"AliUid\":\"15685865xxx14622\"}\n").exitCode()).isZero();
            Result read = kcat(List.of("-C", "-b", bootstrap, "-t", "preload-job-snapshots", "-X",
                    "isolation.level=read_committed", "-o", "beginning", "-c", "1", "-e", "-q", "-f", "%s\n"), "");
            assertThat(read.output()).startsWith("{\"RequestId\":\"r-kcat\",\"AliUid\":\"15685865xxx14622\"");

            assertThat(kcat(List.of("-P", "-b", bootstrap, "-t", "preload-jobs", "-K|"), "665d3af3621bccf3fe29e1ff|"
                    + "{\"Id\":\"665d3af3621bccf3fe29e1ff\",\"Name\":\"example\",\"AliUid\":\"15685865xxx14622\","
                    + "\"UrlCount\":2,\"UrlSubmitted\":1,\"TaskSubmitted\":1}\n").exitCode()).isZero();
            awaitStatus(run, jobs.resolve("665d3af3621bccf3fe29e1ff?AliUid=15685865xxx14622"), token, 200);
            CliRun reset = cli("reset", "--id", "665d3af3621bccf3fe29e1ff", "--uid", "15685865xxx14622", "--request-id", "r-cli",
                    "--bootstrap-servers", bootstrap);
            assertThat(reset.exitCode()).as(reset.err()).isZero();
            assertThat(reset.out()).contains("\"RequestId\": \"r-cli\"", "\"Id\": \"665d3af3621bccf3fe29e1ff\"",
                    "\"UrlSubmitted\": 0");
        } finally {
            TestBroker.delete(dir); // bin/run was stopped as it is closed: SIGTERM, and a minute to stop
        }
    }

    private record CliRun(int exitCode, String out, String err) {
    }

    private static CliRun cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, Map.of(), new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }

    /**
     * kcat with {@code args}, {@code input} on its standard input, once it has exited (within a
     * minute): its exit code (127 where it is not installed) and standard output; its errors go to
     * the console.
     */
    private static Result kcat(List<String> args, String input) {
        List<String> command = new java.util.ArrayList<>(List.of("kcat"));
        command.addAll(args);
        Result result = ChildProcess.command(command).errorsToConsole().input(input).run(Duration.ofSeconds(60));
        assertThat(result.exitCode()).as("kcat %s ends", args).isNotEqualTo(ChildProcess.TIMED_OUT);
        return result;
    }

    /** The HTTP port the processor printed that it listens on. */
    private static int httpPort(ChildProcess run) {
        Matcher port = run.lines().stream().map(Pattern.compile("HTTP interface on [^ ]+:(\\d+)")::matcher)
                .filter(Matcher::find).findFirst().orElseThrow();
        return Integer.parseInt(port.group(1));
    }

    /** The bearer token of bin/run's ready curl line. */
    private static String printedToken(ChildProcess run) {
        Matcher token = run.lines().stream().map(Pattern.compile("curl -H 'Authorization: Bearer ([0-9a-f]{64})'")::matcher)
                .filter(Matcher::find).findFirst().orElseThrow(() -> new AssertionError("no curl line: " + run.output()));
        return token.group(1);
    }

    /** Waits until {@code uri} answers {@code status}, asking again every 100 ms; fails at once if bin/run exits. */
    private static void awaitStatus(ChildProcess run, URI uri, String token, int status) {
        HttpClient http = HttpClient.newHttpClient();
        Wait.atMost(READY, LOOK_AGAIN).alias("waiting for " + uri + " to answer " + status)
                .failFast(() -> assertThat(run.isAlive()).as("bin/run exited early").isTrue())
                .until(() -> http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == status);
    }

    @Test
    void aPortInUseIsReportedClearly() throws Exception {
        Path dir = Files.createTempDirectory("preload-local-run");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            int port = taken.getLocalPort();
            try (ChildProcess run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port), "LOCAL_KAFKA_DIR", dir.toString()))) {
                assertThat(run.exitsWithin(READY)).isTrue();
                assertThat(run.exitCode()).isEqualTo(1);
                assertThat(run.output()).contains("preload-job-processor: Port " + port
                        + " is already in use (another Kafka broker?). Stop it, choose another port with LOCAL_KAFKA_PORT,"
                        + " or use a running cluster with KAFKA_BOOTSTRAP_SERVERS.");
            }
        } finally {
            TestBroker.delete(dir);
        }
    }

    /**
     * A second bin/run on a folder that a run holds (here this test holds it, as a run does) must
     * leave it alone: a second broker there would write into the first one's metadata log before
     * failing on its data directory's lock.
     */
    @Test
    void aSecondRunOnAFolderThatARunHoldsIsRefusedBeforeItWritesThere() throws Exception {
        Path dir = Files.createTempDirectory("preload-local-run");
        Path lockFile = dir.resolve(LocalRun.LOCK_FILE);
        int port = LocalKafka.freePort();
        int controllerPort = LocalKafka.freePort();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = channel.lock();
             ChildProcess run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port),
                     "LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort), "LOCAL_KAFKA_DIR", dir.toString(),
                     "HTTP_PORT", "8181"))) {
            Wait.atMost(READY, LOOK_AGAIN).alias("bin/run to exit, or to start a broker")
                    .until(() -> !run.isAlive() || run.printed("Starting a local Kafka broker"));

            assertThat(run.output()).doesNotContain("Starting a local Kafka broker");
            assertThat(run.exitsWithin(READY)).as("bin/run exits:%n%s", run.output()).isTrue();
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.output()).contains("preload-job-processor:"
                    + " LOCAL_KAFKA_DIR " + dir + " is in use by another bin/run, which holds " + lockFile + "; a second"
                    + " broker there would damage its data. Stop that run, or give this one a folder and ports of its own:"
                    + " LOCAL_KAFKA_DIR, LOCAL_KAFKA_PORT (now " + port + "), LOCAL_KAFKA_CONTROLLER_PORT (now "
                    + controllerPort + ") and HTTP_PORT (now 8181), e.g. LOCAL_KAFKA_DIR=" + dir + "-2 LOCAL_KAFKA_PORT="
                    + (port + 100) + " LOCAL_KAFKA_CONTROLLER_PORT=" + (controllerPort + 100) + " HTTP_PORT=8281 bin/run");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).as("the folder, untouched").containsExactly(lockFile);
            }
            assertThat(Files.size(lockFile)).isZero();
        } finally {
            TestBroker.delete(dir);
        }
    }

    /**
     * Ctrl-C signals the terminal's whole process group: the broker must ignore it, so that it is
     * still there while the processor commits and leaves its group, and is stopped after it.
     */
    private static void assertIgnoresSigint(ProcessHandle broker) throws IOException {
        Path status = Path.of("/proc", Long.toString(broker.pid()), "status");
        if (!Files.exists(status)) {
            return; // not Linux: no /proc to read the signal mask from
        }
        String ignored = Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:"))
                .findFirst().orElseThrow().substring("SigIgn:".length()).trim();
        long sigint = 1L << (2 - 1);
        assertThat(Long.parseUnsignedLong(ignored, 16) & sigint).as("SIGINT ignored by the broker").isEqualTo(sigint);
    }

    private static String readOneSnapshot(String bootstrap) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "group.id", "local-run-it", "auto.offset.reset", "earliest",
                "isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("preload-job-snapshots"));
            ConsumerRecords<String, String> records = Wait.atMost(READY, Duration.ZERO).alias("a snapshot")
                    .until(() -> consumer.poll(Duration.ofMillis(200)), polled -> !polled.isEmpty());
            return records.iterator().next().value();
        }
    }
}
