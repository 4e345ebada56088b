package cdn.preload.faults;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The processor as users run it: {@code java -jar target/preload-job-processor.jar} in a process of
 * its own, configured by its environment alone, killed with real signals.
 */
final class JarProcess implements AutoCloseable {
    static final Path JAR = Path.of("target", "preload-job-processor.jar");
    /** How long a wait on the HTTP interface gives the process between two questions. */
    static final Duration ASK_AGAIN = Duration.ofMillis(50);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Map<String, String> env;
    private final Path log;
    private final int httpPort;
    private ChildProcess process;
    private int starts;

    /** @param env the processor's whole environment, HTTP_PORT excepted (a free port is chosen) */
    JarProcess(String name, Map<String, String> env, Path logDir) {
        this.name = name;
        this.httpPort = LocalKafka.freePort();
        this.env = new HashMap<>(env);
        this.env.put("HTTP_HOST", "127.0.0.1");
        this.env.put("HTTP_PORT", Integer.toString(httpPort));
        this.log = logDir.resolve(name + ".log");
    }

    /** Starts the jar; does not wait for it. */
    JarProcess start() {
        process = ChildProcess.java(List.of("-Xmx512m", "-jar", JAR.toString())).name(name).environment(env).logTo(log).start();
        starts++;
        return this;
    }

    /** Waits until Kafka Streams reports RUNNING on {@code /health/live}; fails at once if the process exits. */
    JarProcess awaitRunning(Duration timeout) {
        Wait.atMost(timeout, ASK_AGAIN).alias(name + " to be RUNNING; see " + log)
                .failFast(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(name + " exited with " + process.exitCode() + "; see " + log);
                    }
                })
                .until(() -> "RUNNING".equals(state()));
        return this;
    }

    /**
     * Waits up to {@code timeout} for the process to exit: true if it has. Waits on the HTTP
     * interface use it between two questions, so that they fail at once when the process dies.
     */
    boolean exitsWithin(Duration timeout) {
        return process.exitsWithin(timeout);
    }

    /** The Streams state on {@code /health/live}, or null while it does not answer. */
    String state() {
        try {
            HttpResponse<String> response = HTTP.send(request("/health/live"), HttpResponse.BodyHandlers.ofString());
            return Workload.JSON.readTree(response.body()).path("state").asText(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET a path of the HTTP interface: the status and the body. */
    HttpResponse<String> get(String path) {
        try {
            return HTTP.send(request(path), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** GET {@code /jobs/{id}} as the account {@code aliUid} asks it, with the processor's token. */
    HttpResponse<String> getJob(String id, String aliUid) {
        return get("/jobs/" + id + "?AliUid=" + java.net.URLEncoder.encode(aliUid, java.nio.charset.StandardCharsets.UTF_8));
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Authorization", "Bearer " + env.get("HTTP_AUTH_TOKEN"))
                .timeout(Duration.ofSeconds(5)).build();
    }

    /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
    void kill() {
        process.kill();
        process.awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, as an orchestrator stops it; returns the exit code. */
    int terminate() {
        process.terminate();
        return process.awaitExit(Duration.ofSeconds(60));
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    Path log() {
        return log;
    }

    String name() {
        return name;
    }

    /** The first line of the last WARN or ERROR in the process's log, or "none". */
    String lastWarning() {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                    .reduce((first, second) -> second).map(line -> line.length() > 300 ? line.substring(0, 300) : line)
                    .orElse("none");
        } catch (IOException | UncheckedIOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** SIGKILL, if it still runs. */
    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
