package cdn.preload.app.local;

import cdn.preload.app.cli.Cli;
import cdn.preload.streams.TestBroker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The README's run command, bin/run, as a user runs it: a broker, the topics, the processor, and a clean stop. */
class LocalRunIT {
    private static final Duration READY = Duration.ofSeconds(180);

    private record Run(Process process, List<String> output, Thread reader) {
        boolean printed(String text) {
            return output.stream().anyMatch(line -> line.contains(text));
        }
    }

    private static Run start(Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bin/run").redirectErrorStream(true);
        builder.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        builder.environment().putAll(env);
        Process process = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                lines.lines().forEach(output::add);
            } catch (IOException e) {
                output.add("(output closed: " + e + ")");
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Run(process, output, reader);
    }

    private static void await(Run run, String text) throws InterruptedException {
        long deadline = System.nanoTime() + READY.toNanos();
        while (!run.printed(text)) {
            assertThat(run.process().isAlive()).as("bin/run exited early:\n%s", String.join("\n", run.output())).isTrue();
            assertThat(System.nanoTime()).as("waiting for '%s'", text).isLessThan(deadline);
            run.process().waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void runStartsABrokerAndTheProcessorWhichAnswersAndCtrlCStopsBoth() throws Exception {
        int port = LocalKafka.freePort();
        Path dir = Files.createTempDirectory("preload-local-run");
        long started = System.nanoTime();
        Run run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port),
                "LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(LocalKafka.freePort()),
                "LOCAL_KAFKA_DIR", dir.toString(), "HTTP_PORT", "0"));
        List<ProcessHandle> family;
        try {
            await(run, "REBALANCING -> RUNNING");
            System.out.printf("bin/run ready after %.1f s%n", (System.nanoTime() - started) / 1e9);
            assertThat(run.printed("publish commands to   preload-job-reset-commands")).isTrue();
            family = List.copyOf(run.process().toHandle().descendants().toList());
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
            // SIGTERM, as a supervisor would (Ctrl-C is SIGINT, handled alike). Process.destroy() would
            // also close our end of its output, and we want to read how it stops.
            run.process().toHandle().destroy();
        }
        assertThat(run.process().waitFor(60, TimeUnit.SECONDS)).as("bin/run stops").isTrue();
        for (ProcessHandle child : family) {
            assertThat(child.onExit().get(60, TimeUnit.SECONDS).isAlive()).as("child %d", child.pid()).isFalse();
        }
        run.reader().join(TimeUnit.SECONDS.toMillis(10));
        assertThat(run.printed("Stopping the local Kafka broker...")).as(String.join("\n", run.output())).isTrue();
        TestBroker.delete(dir);
    }

    /**
     * The README's examples, mixed as a user would mix them: a job put with the command line (the
     * Java client, murmur2) and reset with kcat (librdkafka, CRC32), and a job published with kcat and
     * reset with the command line. Skipped, saying so, where kcat is not installed.
     */
    @Test
    void theReadmesCommandLineAndKcatExamplesWorkInAnyMix() throws Exception {
        assumeTrue(kcat(List.of("-V"), "").exitValue() == 0, "kcat is not installed (apt-get install -y kcat)");
        int port = LocalKafka.freePort();
        Path dir = Files.createTempDirectory("preload-local-run");
        Run run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port),
                "LOCAL_KAFKA_CONTROLLER_PORT", Integer.toString(LocalKafka.freePort()),
                "LOCAL_KAFKA_DIR", dir.toString(), "HTTP_PORT", "0"));
        try {
            await(run, "REBALANCING -> RUNNING");
            String bootstrap = "localhost:" + port;
            URI jobs = URI.create("http://localhost:" + httpPort(run) + "/jobs/");
            String token = printedToken(run);

            assertThat(cli("jobs", "put", "examples/job.json", "--bootstrap-servers", bootstrap).exitCode()).isZero();
            awaitStatus(run, jobs.resolve("665d3af3621bccf3fe29e1a4?AliUid=15685865xxx14622"), token, 200);
            assertThat(kcat(List.of("-P", "-b", bootstrap, "-t", "preload-job-reset-commands", "-K|"),
                    "665d3af3621bccf3fe29e1a4|{\"RequestId\":\"r-kcat\",\"Id\":\"665d3af3621bccf3fe29e1a4\","
                            + "\"AliUid\":\"15685865xxx14622\"}\n").exitValue()).isZero();
            Process read = kcat(List.of("-C", "-b", bootstrap, "-t", "preload-job-snapshots", "-X",
                    "isolation.level=read_committed", "-o", "beginning", "-c", "1", "-e", "-q", "-f", "%s\n"), "");
            assertThat(new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .startsWith("{\"RequestId\":\"r-kcat\",\"AliUid\":\"15685865xxx14622\"");

            assertThat(kcat(List.of("-P", "-b", bootstrap, "-t", "preload-jobs", "-K|"), "665d3af3621bccf3fe29e1ff|"
                    + "{\"Id\":\"665d3af3621bccf3fe29e1ff\",\"Name\":\"example\",\"AliUid\":\"15685865xxx14622\","
                    + "\"UrlCount\":2,\"UrlSubmitted\":1,\"TaskSubmitted\":1}\n").exitValue()).isZero();
            awaitStatus(run, jobs.resolve("665d3af3621bccf3fe29e1ff?AliUid=15685865xxx14622"), token, 200);
            CliRun reset = cli("reset", "--id", "665d3af3621bccf3fe29e1ff", "--uid", "15685865xxx14622", "--request-id", "r-cli",
                    "--bootstrap-servers", bootstrap);
            assertThat(reset.exitCode()).as(reset.err()).isZero();
            assertThat(reset.out()).contains("\"RequestId\": \"r-cli\"", "\"Id\": \"665d3af3621bccf3fe29e1ff\"",
                    "\"UrlSubmitted\": 0");
        } finally {
            run.process().toHandle().destroy();
            run.process().waitFor(60, TimeUnit.SECONDS);
            TestBroker.delete(dir);
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

    /** kcat with {@code args}, {@code input} on its standard input, once it has exited (within a minute). */
    private static Process kcat(List<String> args, String input) throws InterruptedException, IOException {
        List<String> command = new java.util.ArrayList<>(List.of("kcat"));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat %s ends", args).isTrue();
            return process;
        } catch (IOException notInstalled) {
            return new ProcessBuilder("false").start();
        }
    }

    /** The HTTP port the processor printed that it listens on. */
    private static int httpPort(Run run) {
        Matcher port = run.output().stream().map(Pattern.compile("HTTP interface on [^ ]+:(\\d+)")::matcher)
                .filter(Matcher::find).findFirst().orElseThrow();
        return Integer.parseInt(port.group(1));
    }

    /** The bearer token of bin/run's ready curl line. */
    private static String printedToken(Run run) {
        Matcher token = run.output().stream().map(Pattern.compile("curl -H 'Authorization: Bearer ([0-9a-f]{64})'")::matcher)
                .filter(Matcher::find).findFirst().orElseThrow(() -> new AssertionError("no curl line: " + run.output()));
        return token.group(1);
    }

    /** Waits until {@code uri} answers {@code status}, asking again each time bin/run has not exited for 100 ms. */
    private static void awaitStatus(Run run, URI uri, String token, int status) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + READY.toNanos();
        while (http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() != status) {
            assertThat(System.nanoTime()).as("waiting for %s to answer %d", uri, status).isLessThan(deadline);
            assertThat(run.process().waitFor(100, TimeUnit.MILLISECONDS)).as("bin/run exited early").isFalse();
        }
    }

    @Test
    void aPortInUseIsReportedClearly() throws Exception {
        Path dir = Files.createTempDirectory("preload-local-run");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            int port = taken.getLocalPort();
            Run run = start(Map.of("LOCAL_KAFKA_PORT", Integer.toString(port), "LOCAL_KAFKA_DIR", dir.toString()));

            assertThat(run.process().waitFor(READY.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(run.process().exitValue()).isEqualTo(1);
            run.reader().join(TimeUnit.SECONDS.toMillis(10));
            assertThat(String.join("\n", run.output())).contains("preload-job-processor: Port " + port
                    + " is already in use (another Kafka broker?). Stop it, choose another port with LOCAL_KAFKA_PORT,"
                    + " or use a running cluster with KAFKA_BOOTSTRAP_SERVERS.");
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
            long deadline = System.nanoTime() + READY.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    return record.value();
                }
            }
            throw new AssertionError("no snapshot within " + READY.toSeconds() + " s");
        }
    }
}
