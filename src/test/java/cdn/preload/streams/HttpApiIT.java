package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.testing.TestDirs;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The HTTP interface of running processors, against a real broker. */
class HttpApiIT extends RealProcessorTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Reply(int status, String body, HttpResponse<String> response) {
        JsonNode json() {
            return ProcessorHarness.json(body);
        }
    }

    static Reply request(URI uri, String method, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body(), response);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Reply request(URI uri, String method) {
        return request(uri, method, null);
    }

    static Reply get(URI uri) {
        return request(uri, "GET");
    }

    /** {@code GET /jobs/{id}} as the job's account {@code aliUid} asks it, with the fixture's token. */
    static Reply getJob(BrokerFixture fixture, String id, String aliUid) {
        return request(fixture.job(id, aliUid), "GET", fixture.token());
    }

    @Test
    void aRunningProcessorIsLiveAndReadyAndReadinessFallsWhenATopicDisappears() throws Exception {
        assertThat(get(fixture.http("/health/live"))).satisfies(reply -> {
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json()).isEqualTo(json("{\"status\":\"UP\",\"state\":\"RUNNING\"}"));
        });
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", fixture.env.get("KAFKA_BOOTSTRAP_SERVERS")))) {
            admin.deleteTopics(List.of(fixture.topics().deadLetters())).all().get();
        }

        // The topics are checked in the background, every 10 s; until a check after the deletion,
        // readiness answers what the one before found.
        JsonNode fallen = json("{\"status\":\"DOWN\",\"state\":\"RUNNING\",\"topics\":[\""
                + fixture.topics().deadLetters() + ": missing (dlq topic)\"]}");
        Reply ready = Wait.atMost(BrokerFixture.WAIT, Duration.ofMillis(100)).alias("readiness to say the DLQ is missing")
                .until(() -> get(fixture.http("/health/ready")), reply -> reply.status() == 503 && reply.json().equals(fallen));

        assertThat(ready.json()).isEqualTo(fallen);
        assertThat(get(fixture.http("/health/live")).status()).isEqualTo(200);
    }

    @Test
    void readinessIs200OnlyOnceTheProcessorIsRunning() throws IOException {
        fixture.stopStreams(false);
        Settings settings = fixture.settings.withKafkaProperty("state.dir", TestDirs.create("preload-ready").toString());
        try (ProcessorApp app = ProcessorApp.create(settings)) {
            app.start();
            URI ready = URI.create("http://127.0.0.1:" + app.httpPort() + "/health/ready");
            List<Reply> replies = new ArrayList<>();
            Wait.atMost(BrokerFixture.WAIT, Duration.ZERO).alias("ready within " + BrokerFixture.WAIT).until(() -> {
                replies.add(get(ready));
                return replies.get(replies.size() - 1).status() == 200;
            });

            assertThat(replies.get(0).status()).as("the first answer, right after start").isEqualTo(503);
            for (Reply reply : replies) {
                boolean running = reply.json().get("state").asText().equals("RUNNING");
                assertThat(reply.status()).as(reply.body()).isEqualTo(running && reply.json().get("topics").isTextual() ? 200 : 503);
            }
            assertThat(replies.get(replies.size() - 1).json())
                    .isEqualTo(json("{\"status\":\"UP\",\"state\":\"RUNNING\",\"topics\":\"as defined\"}"));
        }
        fixture.startStreams();
    }

    @Test
    void metricsCountTheOutcomesOfAKnownMixOfCommandsAndProgressReports() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0());
        fixture.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, fixture.t0().plusSeconds(1));
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0().plusSeconds(2)); // a replay
        fixture.reset("r-3", OTHER_ID, EXAMPLE_UID, fixture.t0().plusSeconds(3));   // 404
        fixture.reset("r-4", EXAMPLE_ID, "intruder", fixture.t0().plusSeconds(4));  // 403
        fixture.reset("r-5", "nope", EXAMPLE_UID, fixture.t0().plusSeconds(5));     // 400 ObjectId
        fixture.send(bytes("k"), "{broken", fixture.t0().plusSeconds(6));           // 400 InvalidParameter + DLQ
        fixture.putRawJob(bytes(OTHER_ID), bytes("[]"), fixture.t0());             // DLQ
        fixture.snapshots(3);
        fixture.errors(4);
        fixture.deadLetters(2);
        fixture.report(EXAMPLE_ID, 2, 5, 5, fixture.t0().plusSeconds(7));  // applied: r-1 and r-2 made generation 2
        fixture.report(EXAMPLE_ID, 2, 5, 4, fixture.t0().plusSeconds(8));  // unchanged
        fixture.report(EXAMPLE_ID, 1, 9, 9, fixture.t0().plusSeconds(9));  // fenced: an older generation
        fixture.awaitProcessed(fixture.report(OTHER_ID, 0, 9, 9, fixture.t0().plusSeconds(9))); // fenced: no such job
        fixture.report(EXAMPLE_ID, 3, 9, 9, fixture.t0().plusSeconds(10)); // ahead of the job: DLQ
        fixture.reportRaw(bytes("w"), bytes("{"), new RecordHeaders(), fixture.t0().plusSeconds(11)); // DLQ
        fixture.deadLetters(2);

        Map<String, Double> metrics = scrape(get(fixture.http("/metrics")).body());

        assertThat(metrics).containsEntry("preload_commands_processed_total{code=\"OK\",status=\"200\"}", 3.0)
                .containsEntry("preload_commands_processed_total{code=\"InvalidJob.NotFound\",status=\"404\"}", 1.0)
                .containsEntry("preload_commands_processed_total{code=\"InvalidUid.PermissionDenied\",status=\"403\"}", 1.0)
                .containsEntry("preload_commands_processed_total{code=\"InvalidParameter.ObjectId\",status=\"400\"}", 1.0)
                .containsEntry("preload_commands_processed_total{code=\"InvalidParameter\",status=\"400\"}", 1.0)
                .containsEntry("preload_commands_processed_total{code=\"TooManyRequests\",status=\"400\"}", 0.0)
                .containsEntry("preload_replays_processed_total", 1.0)
                .containsEntry("preload_dead_letters_processed_total{source=\"commands\"}", 1.0)
                .containsEntry("preload_dead_letters_processed_total{source=\"jobs\"}", 1.0)
                .containsEntry("preload_dead_letters_processed_total{source=\"progress\"}", 2.0)
                .containsEntry("preload_progress_reports_processed_total{outcome=\"applied\"}", 1.0)
                .containsEntry("preload_progress_reports_processed_total{outcome=\"unchanged\"}", 1.0)
                .containsEntry("preload_progress_reports_processed_total{outcome=\"fenced\"}", 2.0)
                .containsEntry("preload_progress_reports_processed_total{outcome=\"dead-lettered\"}", 2.0)
                .containsEntry("preload_command_processing_seconds_count", 7.0);
        assertThat(metrics.keySet()).anyMatch(name -> name.startsWith("kafka_stream_thread_"))
                .anyMatch(name -> name.startsWith("jvm_memory_used_bytes"));
    }

    static Map<String, Double> scrape(String text) {
        Map<String, Double> values = new HashMap<>();
        Pattern sample = Pattern.compile("^(\\S+?(?:\\{.*})?) (\\S+)$");
        for (String line : text.split("\n")) {
            Matcher matcher = sample.matcher(line);
            if (!line.startsWith("#") && matcher.matches()) {
                values.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
            }
        }
        return values;
    }

    @Test
    void everyJobIsAnsweredByEitherOfTwoInstancesWithItsGeneration() throws IOException {
        Settings second = fixture.settings.withKafkaProperty("state.dir",
                TestDirs.create("preload-second").toString());
        try (ProcessorApp other = ProcessorApp.create(second)) {
            other.start();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String id = String.format("665d3af3621bccf3fe29e%03x", i);
                ids.add(id);
                fixture.putJob(id, new Job(id, "job-" + i, null, "u-" + i, null, null, null, null, 3, 2, 1, null, null, null),
                        fixture.t0());
            }
            URI one = fixture.http("");
            URI two = URI.create("http://127.0.0.1:" + other.httpPort());
            // Both RUNNING is not enough: the second's join revokes partitions in one rebalance and
            // assigns them in the next, and a query between the two is answered 503.
            fixture.awaitSettled(other.streams());
            fixture.await(() -> java.util.stream.IntStream.range(0, ids.size()).allMatch(i -> job(one, ids.get(i), "u-" + i).status() == 200
                    && job(two, ids.get(i), "u-" + i).status() == 200), "every job answered by both instances");
            assertThat(fixture.streams().metadataForLocalThreads().iterator().next().activeTasks()).isNotEmpty();
            assertThat(other.streams().metadataForLocalThreads().iterator().next().activeTasks()).isNotEmpty();
            int reset = 6; // the first six jobs, spread over both instances, are reset once: generation 1
            for (int i = 0; i < reset; i++) {
                fixture.reset("r-" + i, ids.get(i), "u-" + i, fixture.t0().plusSeconds(1));
            }
            fixture.snapshots(reset);

            for (int i = 0; i < ids.size(); i++) {
                int progress = i < reset ? 0 : 2;
                for (URI instance : List.of(one, two)) {
                    Reply reply = job(instance, ids.get(i), "u-" + i);
                    assertThat(reply.response().headers().firstValue("Preload-Generation")).as(ids.get(i))
                            .contains(i < reset ? "1" : "0");
                    ObjectNode job = (ObjectNode) reply.json();
                    assertThat(job.remove("RequestId").asText()).hasSize(36);
                    assertThat(job).isEqualTo(json(Json.MAPPER.writeValueAsString(new Job(ids.get(i), "job-" + i, null,
                            "u-" + i, null, null, null, null, 3, progress, i < reset ? 0 : 1, null, null, null))));
                }
            }
            for (URI instance : List.of(one, two)) {
                Reply unknown = job(instance, OTHER_ID, "u-0");
                assertThat(unknown.status()).isEqualTo(404);
                ObjectNode body = (ObjectNode) unknown.json();
                body.put("RequestId", "x");
                assertThat(body).isEqualTo(expectedError("x", OTHER_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
            }
        }
    }

    private Reply job(URI instance, String id, String aliUid) {
        return request(instance.resolve("/jobs/" + id + "?AliUid=" + aliUid), "GET", fixture.token());
    }

    @Test
    void aMalformedRequestGetsItsStatusAsJsonAndNothingOfTheServer() throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", fixture.http("").getPort())) {
            socket.getOutputStream().write("GET /jobs/x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("Content-Type: application/json")
                    .endsWith("\r\n\r\n{\"error\":\"Bad Request\"}").doesNotContainIgnoringCase("jetty");
        }
    }

    @Test
    void badPathsAndMethodsGetCleanAnswers() {
        Reply nowhere = get(fixture.http("/nowhere"));
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.json().get("error").asText()).startsWith("No such path: /nowhere.");

        Reply post = request(fixture.http("/jobs/" + EXAMPLE_ID), "POST");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.response().headers().firstValue("Allow")).hasValue("GET");

        Reply malformed = request(fixture.http("/jobs/NOT-AN-ID"), "GET", fixture.token());
        assertThat(malformed.status()).isEqualTo(400);
        ObjectNode body = (ObjectNode) malformed.json();
        body.put("RequestId", "x");
        assertThat(body).isEqualTo(expectedError("x", "NOT-AN-ID", ErrorCode.INVALID_PARAMETER_OBJECT_ID));
    }
}
