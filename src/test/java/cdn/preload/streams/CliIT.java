package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.Examples.exampleJobWith;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.Examples.expectedState;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.cli.Cli;
import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Json;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.Position;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each command of the jar's command line, against a real broker and a running processor. */
class CliIT extends RealProcessorTest {

    @TempDir
    Path dir;

    /** What a command printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
    }

    private Run cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Run cli(String... args) {
        return cli(fixture.env, args);
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void resetPrintsTheSnapshotAsTheApiAnswersItAndExits0() throws IOException {
        Run put = cli("jobs", "put", file("job.json", Json.MAPPER.writeValueAsString(EXAMPLE_JOB)).toString());
        assertThat(put).isEqualTo(new Run(0, "Published 1 job to " + fixture.topics().jobs() + ".\n", ""));

        Run reset = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-1");

        assertThat(reset.exitCode()).isZero();
        assertThat(reset.err()).isEqualTo("preload.generation: 1\n");
        assertThat(json(reset.out())).isEqualTo(expectedSnapshot("r-1"));
        assertThat(reset.out()).startsWith("{\n  \"RequestId\": \"r-1\",\n  \"AliUid\": \"15685865xxx14622\",\n"
                + "  \"CreatedAt\": \"2024-06-02T02:23:26Z\",\n");
        assertThat(reset.out()).endsWith("  \"UrlSubmitted\": 0\n}\n");
    }

    @Test
    void resetPrintsTheGenerationItStartedAndAReplayTheFirstOneAgain() {
        fixture.putJob(EXAMPLE_JOB);

        Run first = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-1");
        Run second = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-2");
        Run replay = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-1");

        assertThat(first).isEqualTo(new Run(0, first.out(), "preload.generation: 1\n"));
        assertThat(json(first.out())).isEqualTo(expectedSnapshot("r-1"));
        assertThat(second).isEqualTo(new Run(0, second.out(), "preload.generation: 2\n"));
        assertThat(json(second.out())).isEqualTo(expectedSnapshot("r-2"));
        assertThat(replay).isEqualTo(first);
    }

    @Test
    void resetOfAnUnknownJobPrintsThe404AndExits1() {
        Run reset = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-404");

        assertThat(reset.exitCode()).isEqualTo(1);
        assertThat(json(reset.out())).isEqualTo(expectedError("r-404", EXAMPLE_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
        assertThat(reset.err()).isEqualTo("404 InvalidJob.NotFound\n");
    }

    @Test
    void resetWithAMalformedIdGetsTheProcessorsAnswer() {
        Run reset = cli("reset", "--id", "nope", "--uid", EXAMPLE_UID, "--request-id", "r-400");

        assertThat(reset.exitCode()).isEqualTo(1);
        assertThat(json(reset.out())).isEqualTo(expectedError("r-400", "nope", ErrorCode.INVALID_PARAMETER_OBJECT_ID));
        assertThat(reset.err()).isEqualTo("400 InvalidParameter.ObjectId\n");
    }

    @Test
    void resetWithoutRequestIdSendsANewUuid() {
        fixture.putJob(EXAMPLE_JOB);

        Run reset = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID);

        assertThat(reset.exitCode()).isZero();
        String requestId = json(reset.out()).get("RequestId").asText();
        assertThat(UUID.fromString(requestId).toString().toUpperCase()).isEqualTo(requestId);
    }

    @Test
    void resetIgnoresOlderAnswersAndFindsItsOwnAmongOthers() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("earlier", EXAMPLE_ID, EXAMPLE_UID, fixture.t0());
        fixture.answer();

        // an older answer sits on the same partition of the snapshots topic; the command reads past it
        Run run = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "mine");

        assertThat(run.exitCode()).isZero();
        assertThat(json(run.out()).get("RequestId").asText()).isEqualTo("mine");
    }

    @Test
    void resetWithoutAnAnswerTimesOutWith3() {
        fixture.stopStreams(false);

        Run reset = cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-1", "--timeout", "2s");

        assertThat(reset.exitCode()).isEqualTo(3);
        assertThat(reset.out()).isEmpty();
        assertThat(reset.err()).isEqualTo("No answer to RequestId r-1 within 2.0 s. Is the processor running against "
                + fixture.env.get("KAFKA_BOOTSTRAP_SERVERS") + "?\n");
        fixture.startStreams();
    }

    @Test
    void resetSkipsRecordsThatAreNoAnswerWithALineEachAndFindsItsOwn() throws Exception {
        fixture.stopStreams(false);
        CompletableFuture<Run> reset = CompletableFuture.supplyAsync(() ->
                cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID, "--request-id", "r-junk", "--timeout", "60s"));
        // Once its command is published, reset reads the answers' partitions from before it.
        Wait.atMost(BrokerFixture.WAIT, Duration.ofMillis(50)).alias("reset to publish its command")
                .until(() -> recordsOn(fixture.topics().commands()) == 1);
        byte[] key = ProcessorHarness.bytes(EXAMPLE_ID);
        Position junk = fixture.publishAt(fixture.topics().errors(), null, key, ProcessorHarness.bytes("<html>"), fixture.t0());
        Position tombstone = fixture.publishAt(fixture.topics().snapshots(), null, key, null, fixture.t0());
        fixture.startStreams();

        Run run = reset.get(BrokerFixture.WAIT.toSeconds(), TimeUnit.SECONDS);

        // The skipped records are reported in the order they are polled, which may put either first.
        assertThat(run.err().lines()).containsExactlyInAnyOrder(
                "404 InvalidJob.NotFound",
                "Skipped " + junk.topic() + ", partition " + junk.partition() + ", offset " + junk.offset()
                        + ": not a JSON document, so no answer of the processor's.",
                "Skipped " + tombstone.topic() + ", partition " + tombstone.partition() + ", offset " + tombstone.offset()
                        + ": not a JSON document, so no answer of the processor's.");
        assertThat(run.err()).endsWith("404 InvalidJob.NotFound\n");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(json(run.out())).isEqualTo(expectedError("r-junk", EXAMPLE_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    @Test
    void jobsPutReportsABadJobWithItsPositionAndSendsNothing() throws IOException {
        Path jobs = file("jobs.json", """
                [
                  {"Id":"665d3af3621bccf3fe29e1a4","AliUid":"u-1"},
                  {"Id":"665d3af3621bccf3fe29e1a5","AliUid":"u-1","UrlCount":"many"},
                  {"Id":"NOT-AN-ID","AliUid":"u-1"},
                  7
                ]
                """);

        Run put = cli("jobs", "put", jobs.toString());

        assertThat(put.exitCode()).isEqualTo(1);
        assertThat(put.out()).isEmpty();
        assertThat(put.err()).isEqualTo("""
                Error: job 2 (line 3, column 3): Cannot coerce String value ("many") to `java.lang.Integer` value \
                (but might if coercion using `CoercionConfig` was enabled)
                Error: job 3 (line 4, column 3): Id must be 24 lower-case hexadecimal digits, got "NOT-AN-ID"
                Error: job 4 (line 5, column 3): not a JSON object
                Nothing was sent.
                """);
        assertThat(recordsOn(fixture.topics().jobs())).isZero();
    }

    @Test
    void jobsPutPublishesAnArrayAndJobsDeleteTombstonesOne() throws IOException {
        Run put = cli("jobs", "put", file("jobs.json", "[" + Json.MAPPER.writeValueAsString(EXAMPLE_JOB)
                + ",{\"Id\":\"665d3af3621bccf3fe29e1a5\",\"AliUid\":\"u-2\"}]").toString());
        assertThat(put).isEqualTo(new Run(0, "Published 2 jobs to " + fixture.topics().jobs() + ".\n", ""));

        Run delete = cli("jobs", "delete", EXAMPLE_ID);
        assertThat(delete).isEqualTo(new Run(0,
                "Deleted job " + EXAMPLE_ID + " (tombstone on " + fixture.topics().jobs() + ").\n", ""));

        assertThat(cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID).err()).isEqualTo("404 InvalidJob.NotFound\n");
        assertThat(cli("reset", "--id", "665d3af3621bccf3fe29e1a5", "--uid", "u-2").exitCode()).isZero();
        assertThat(cli("jobs", "delete", "nope")).isEqualTo(new Run(1, "",
                "Error: 'nope' is not a job Id (24 lower-case hexadecimal digits).\n"));
    }

    @Test
    void jobsListPrintsAPageAsTheHttpInterfaceAnswersItAndAnErrorEventWithExit1() throws IOException {
        cli("jobs", "put", file("jobs.json", "[" + Json.MAPPER.writeValueAsString(EXAMPLE_JOB)
                + ",{\"Id\":\"665d3af3621bccf3fe29e1a5\",\"SiteId\":190007158391808,\"AliUid\":\"" + EXAMPLE_UID
                + "\",\"CreatedAt\":\"2024-06-03T00:00:00Z\"}"
                + ",{\"Id\":\"665d3af3621bccf3fe29e1a6\",\"SiteId\":190007158391808,\"AliUid\":\"u-2\"}]").toString());
        String url = fixture.http("").toString();
        String[] secondPage = {"jobs", "list", "--site", "190007158391808", "--uid", EXAMPLE_UID, "--size", "1", "--page", "2",
            "--to", "2024-06-03T00:00:00Z", "--url", url};
        Run[] list = new Run[1];
        Wait.atMost(Duration.ofSeconds(30), Duration.ofMillis(100)).until(() -> {
            list[0] = cli(secondPage);
            return list[0].exitCode() == 0 && json(list[0].out()).path("TotalCount").asInt() == 2;
        });

        ObjectNode expected = Json.MAPPER.createObjectNode().put("RequestId", json(list[0].out()).path("RequestId").asText())
                .put("TotalCount", 2).put("PageNumber", 2).put("PageSize", 1);
        expected.putArray("Jobs").add(Json.MAPPER.valueToTree(EXAMPLE_JOB));
        assertThat(json(list[0].out())).isEqualTo(json(expected.toString()));
        assertThat(list[0].err()).isEmpty();

        Run refused = cli("jobs", "list", "--site", "190007158391808", "--uid", EXAMPLE_UID, "--size", "501", "--url", url);
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("400 InvalidParameter\n");
        assertThat(json(refused.out()).path("Message").asText()).isEqualTo("PageSize must be an integer from 1 to 500, got 501.");

        Map<String, String> withoutToken = new HashMap<>(fixture.env);
        withoutToken.remove("HTTP_AUTH_TOKEN");
        Run noToken = cli(withoutToken, "jobs", "list", "--site", "1", "--uid", EXAMPLE_UID, "--url", url);
        assertThat(noToken).isEqualTo(new Run(2, "",
                "Error: set HTTP_AUTH_TOKEN to the processor's token (bin/run prints the one it made).\n"));
    }

    @Test
    void tailPrintsAnswersAndDeadLettersOneJsonDocumentALine() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0());
        Answer snapshot = fixture.answer();
        fixture.reset("r-2", EXAMPLE_ID, "intruder", fixture.t0());
        Answer error = fixture.answer();
        fixture.send(new byte[] {(byte) 0xFF}, "{oops", fixture.t0());
        Answer unparseable = fixture.answer();
        fixture.deadLetters(1);

        Run answers = cli("tail", "--from-beginning", "--snapshots", "--errors", "--limit", "3");
        Run dead = cli("tail", "--from-beginning", "--dlq", "--limit", "1");

        assertThat(answers.exitCode()).isZero();
        assertThat(answers.out().lines().toList()).containsExactlyInAnyOrder(snapshot.document(), error.document(),
                unparseable.document());
        assertThat(dead.exitCode()).isZero();
        var line = json(dead.out());
        assertThat(line.get("Topic").asText()).isEqualTo(fixture.topics().deadLetters());
        assertThat(line.get("KeyBase64").asText()).isEqualTo("/w==");
        assertThat(line.get("Value").asText()).isEqualTo("{oops");
        assertThat(line.get("Headers").get("__streams.errors.exception").asText())
                .isEqualTo("cdn.preload.domain.UnparseableCommandException");
        assertThat(line.get("Headers").get("__streams.errors.topic").asText()).isEqualTo(fixture.topics().commands());
    }

    @Test
    void progressOfTheCurrentGenerationIsAppliedAndTailOfTheStateTopicShowsEachChangeOfTheJob() throws IOException {
        cli("jobs", "put", file("job.json", Json.MAPPER.writeValueAsString(EXAMPLE_JOB)).toString());
        assertThat(cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID).err()).isEqualTo("preload.generation: 1\n");

        // computed before the reset, and published after it: fenced, so it publishes no state
        Run stale = cli("progress", "--id", EXAMPLE_ID, "--generation", "0", "--url-submitted", "60", "--task-submitted", "60");
        Run current = cli("progress", "--id", EXAMPLE_ID, "--generation", "1", "--url-submitted", "5", "--task-submitted", "3");
        Run states = tailStates(3);

        String landed = "Published to " + fixture.topics().progress() + ", partition "
                + Partitioners.murmur2(ProcessorHarness.bytes(EXAMPLE_ID), Partitioners.partitionsOf(TopicDefinitions.PROGRESS));
        assertThat(stale).isEqualTo(new Run(0, landed + ", offset 0: {\"Id\":\"" + EXAMPLE_ID
                + "\",\"Generation\":0,\"UrlSubmitted\":60,\"TaskSubmitted\":60}\n", ""));
        assertThat(current).isEqualTo(new Run(0, landed + ", offset 1: {\"Id\":\"" + EXAMPLE_ID
                + "\",\"Generation\":1,\"UrlSubmitted\":5,\"TaskSubmitted\":3}\n", ""));
        assertThat(states.exitCode()).isZero();
        assertThat(states.out().lines().map(ProcessorHarness::json).toList()).containsExactly(
                expectedState(EXAMPLE_JOB, 0), expectedState(EXAMPLE_JOB.restarted(), 1),
                expectedState(EXAMPLE_JOB.withCounters(5, 3), 1));
        assertThat(states.out().lines().toList().get(2)).as("as published: Generation first").startsWith("{\"Generation\":1,");
        assertThat(fixture.noMoreStates()).as("the stale report published nothing").isTrue();
    }

    @Test
    void jobsPutWithTheResetsGenerationMovesTheCountersAndWithoutItCannotUndoTheReset() throws IOException {
        Path republished = file("republished.json", Json.MAPPER.writeValueAsString(exampleJobWith("renamed", 60, 60)));
        cli("jobs", "put", file("job.json", Json.MAPPER.writeValueAsString(EXAMPLE_JOB)).toString());
        assertThat(cli("reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID).err()).isEqualTo("preload.generation: 1\n");

        Run stale = cli("jobs", "put", republished.toString());
        Run current = cli("jobs", "put", "--generation", "1", republished.toString());
        Run states = tailStates(4);

        assertThat(stale).isEqualTo(new Run(0, "Published 1 job to " + fixture.topics().jobs() + ".\n", ""));
        assertThat(current).isEqualTo(new Run(0, "Published 1 job to " + fixture.topics().jobs()
                + " with preload.generation 1.\n", ""));
        assertThat(states.out().lines().map(ProcessorHarness::json).toList()).containsExactly(
                expectedState(EXAMPLE_JOB, 0), expectedState(EXAMPLE_JOB.restarted(), 1),
                expectedState(exampleJobWith("renamed", 0, 0), 1), expectedState(exampleJobWith("renamed", 60, 60), 1));
        assertThat(fixture.noMoreStates()).isTrue();
    }

    @Test
    void tailOfTheStateTopicShowsADeletedJobsTombstoneAsTheWholeRecord() {
        fixture.putJob(EXAMPLE_JOB);

        cli("jobs", "delete", EXAMPLE_ID);
        Run states = tailStates(2);

        List<String> lines = states.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(json(lines.get(0))).isEqualTo(expectedState(EXAMPLE_JOB, 0));
        ObjectNode tombstone = (ObjectNode) json(lines.get(1));
        // after the first state, and a commit marker or not, as the transactions fell
        assertThat(tombstone.remove("Offset").asLong()).isBetween(1L, 2L);
        assertThat(tombstone).isEqualTo(json("{\"Topic\":\"" + fixture.topics().state() + "\",\"Partition\":"
                + Partitioners.murmur2(ProcessorHarness.bytes(EXAMPLE_ID), Partitioners.partitionsOf(TopicDefinitions.STATE))
                + ",\"Key\":\"" + EXAMPLE_ID + "\",\"Value\":null,\"Headers\":{}}"));
    }

    @Test
    void topicsCheckFindsMissingTopicsAndCreateCreatesThem() {
        Map<String, String> env = new HashMap<>(fixture.env);
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        List.of("JOBS", "COMMANDS", "PROGRESS", "SNAPSHOTS", "STATE", "ERRORS", "DLQ")
                .forEach(role -> env.put("TOPIC_" + role, "t-" + role + suffix));

        Run missing = cli(env, "topics", "check");
        Run create = cli(env, "topics", "create");
        // Topics created a moment ago may be unknown for a moment to the broker that answers.
        Run check = Wait.atMost(BrokerFixture.WAIT, Duration.ofMillis(200)).alias("topics check to pass after topics create")
                .until(() -> cli(env, "topics", "check"), run -> run.exitCode() == 0);

        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("Error: t-JOBS" + suffix + ": missing (jobs topic)");
        assertThat(create).isEqualTo(new Run(0, """
                Created t-JOBS%1$s
                Created t-COMMANDS%1$s
                Created t-PROGRESS%1$s
                Created t-SNAPSHOTS%1$s
                Created t-STATE%1$s
                Created t-ERRORS%1$s
                Created t-DLQ%1$s
                """.formatted(suffix), ""));
        assertThat(check.out()).contains("Exists  t-DLQ" + suffix);
    }

    @Test
    void commandsIgnoreTheVariablesOfKafkasScriptsAndOfKafkaNamedServices() {
        Map<String, String> env = new HashMap<>(fixture.env);
        env.put("KAFKA_HEAP_OPTS", "-Xmx1g");
        env.put("KAFKA_OPTS", "-Djava.security.auth.login.config=/etc/kafka/jaas.conf");
        env.put("KAFKA_HOME", "/opt/kafka");
        env.put("KAFKA_UI_SERVICE_HOST", "10.0.0.8");
        env.put("KAFKA_UI_PORT_8080_TCP", "tcp://10.0.0.8:8080");

        Run check = cli(env, "topics", "check");
        Run reset = cli(env, "reset", "--id", OTHER_ID, "--uid", EXAMPLE_UID, "--request-id", "r-env");

        assertThat(check.exitCode()).isZero();
        assertThat(reset).isEqualTo(new Run(1, reset.out(), "404 InvalidJob.NotFound\n"));
        assertThat(json(reset.out())).isEqualTo(expectedError("r-env", OTHER_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    @Test
    void anUnreachableClusterIsOneClearLine() {
        Map<String, String> env = new HashMap<>(fixture.env);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + LocalKafka.freePort());

        Run reset = cli(env, "reset", "--id", EXAMPLE_ID, "--uid", EXAMPLE_UID);

        assertThat(reset.exitCode()).isEqualTo(3);
        assertThat(reset.err().lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("Error: no answer from the Kafka cluster within 10 s; is it running, and is --bootstrap-servers right?"));
    }

    /**
     * {@code tail --state --from-beginning --limit count}, once the state topic has that many records:
     * tail itself would wait for ever, the fixture waits with a deadline.
     */
    private Run tailStates(int count) {
        fixture.states(count);
        return cli("tail", "--state", "--from-beginning", "--limit", Integer.toString(count));
    }

    private long recordsOn(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                fixture.env.get("KAFKA_BOOTSTRAP_SERVERS")), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
