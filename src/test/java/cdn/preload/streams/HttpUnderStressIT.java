package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.config.Settings;
import cdn.preload.domain.Job;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.TestDirs;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics answer within a second while callers are slow or hostile: 50 connections that
 * hold half-sent requests, queries relayed to a peer instance that never answers, and a broker that
 * has stopped answering. Real sockets, real processors; a second is the probe's budget, asked of
 * each answer with the client's own timeout.
 */
class HttpUnderStressIT {
    private static final Duration PROBE = Duration.ofSeconds(1);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(PROBE).build();
    private static final List<String> PROBES = List.of("/health/live", "/health/ready", "/metrics");

    /**
     * Each probe answers within a second: live and metrics with 200, ready with 200 or, when
     * {@code readyMayFall} (the broker is silent, and saying so is right), 503.
     */
    private static void assertProbesAnswerWithinASecond(URI base, boolean readyMayFall) throws Exception {
        for (String path : PROBES) {
            HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(PROBE).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (readyMayFall && path.equals("/health/ready")) {
                assertThat(answer.statusCode()).as(path + ": " + answer.body()).isIn(200, 503);
            } else {
                assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void healthAnswersWhileFiftyConnectionsHoldHalfSentRequests() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers())) {
            URI base = fixture.http("");
            fixture.await(() -> HttpApiIT.get(base.resolve("/health/ready")).status() == 200, "the processor to be ready");
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), base.getPort());
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow-" + i + ": ").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    slow.add(socket);
                }

                assertProbesAnswerWithinASecond(base, false);
                HttpResponse<String> job = CLIENT.send(HttpRequest.newBuilder(fixture.job(EXAMPLE_JOB.id(), EXAMPLE_JOB.aliUid()))
                        .header("Authorization", "Bearer " + fixture.token()).timeout(PROBE).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(job.statusCode()).as("a job query, too").isEqualTo(404);
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void healthAnswersWhileQueriesWaitOnAPeerInstanceThatNeverAnswers() throws Exception {
        try (BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers());
             ServerSocket blackHole = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            // The second instance tells the others to reach it where nothing ever answers.
            Settings second = fixture.settings
                    .withKafkaProperty("state.dir", TestDirs.create("preload-dead-peer").toString())
                    .withKafkaProperty("application.server", "127.0.0.1:" + blackHole.getLocalPort());
            try (ProcessorApp peer = ProcessorApp.create(second)) {
                peer.start();
                // Settled: the peer owns its partitions and both instances' metadata say so, with no
                // rebalance under way; a query asked between the two rebalances of its join would be
                // answered "not available right now" by an instance that is rebalancing.
                fixture.awaitSettled(peer.streams());
                HostInfo dead = new HostInfo("127.0.0.1", blackHole.getLocalPort());
                List<String> theirs = new ArrayList<>();
                for (int i = 0; i < 64 && theirs.size() < 20; i++) {
                    String id = String.format("665d3af3621bccf3fe2%05x", i);
                    if (dead.equals(fixture.streams().queryMetadataForKey(ResetTopology.JOB_STORE, id,
                            Serdes.String().serializer()).activeHost())) {
                        theirs.add(id);
                    }
                }
                assertThat(theirs).as("keys owned by the instance that never answers").isNotEmpty();

                List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
                for (String id : theirs) {
                    waiting.add(CLIENT.sendAsync(HttpRequest.newBuilder(fixture.job(id, "u-1"))
                            .header("Authorization", "Bearer " + fixture.token()).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }

                assertProbesAnswerWithinASecond(fixture.http(""), false);
                for (CompletableFuture<HttpResponse<String>> query : waiting) {
                    HttpResponse<String> answer = query.get(30, TimeUnit.SECONDS);
                    assertThat(answer.statusCode()).isEqualTo(503);
                    assertThat(answer.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(answer.body()).isEqualTo("{\"error\":\"The instance that holds this job did not answer; try again.\"}")
                            .doesNotContain(Integer.toString(blackHole.getLocalPort()));
                }
            }
        }
    }

    @Test
    void healthAnswersWhileTheBrokerHasStoppedAnswering() throws Exception {
        Path dir = Files.createTempDirectory("preload-slow-broker");
        LocalKafka broker = TestBroker.startOwn(dir);
        try (BrokerFixture fixture = new BrokerFixture(broker.bootstrapServers())) {
            URI base = fixture.http("");
            fixture.putJob(new Job(EXAMPLE_JOB.id(), null, null, EXAMPLE_JOB.aliUid(), null, null, null, null, null, 1, 1,
                    null, null, null));
            fixture.await(() -> HttpApiIT.get(base.resolve("/health/ready")).status() == 200, "the processor to be ready");
            signal("STOP", broker.pid());
            try {
                // Long enough for the readiness check in the background to run into the silent broker.
                long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                while (System.nanoTime() < until) {
                    assertProbesAnswerWithinASecond(base, true);
                }
            } finally {
                signal("CONT", broker.pid());
            }
        } finally {
            broker.stop();
            TestBroker.delete(dir);
        }
    }

    private static void signal(String signal, long pid) {
        ChildProcess.Result kill = ChildProcess.command("kill", "-" + signal, Long.toString(pid)).run(Duration.ofSeconds(10));
        assertThat(kill.exitCode()).as("kill -%s %d: %s", signal, pid, kill.output()).isZero();
    }
}
