package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.exampleJobWith;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reset's scenarios ({@link ResetScenarios}) in a TopologyTestDriver, plus what only the driver can
 * show: that nothing else was written, what the stores and internal topics hold, and long jumps in
 * time. {@link GenerationTopologyTest} and {@link InputTopologyTest} run the other scenarios there.
 */
class ResetTopologyTest extends ResetScenarios {
    private static final String REPARTITION_TOPIC = "preload-job-processor-commands-by-job-id-repartition";

    private TopologyFixture fixture;

    @Override
    protected ProcessorHarness start() {
        fixture = new TopologyFixture();
        return fixture;
    }

    @Test
    void aResetWritesItsSnapshotAndItsJobsStateAndNothingElse() {
        fixture.putJob(EXAMPLE_JOB);
        assertThat(fixture.allStates()).hasSize(1);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertThat(fixture.allSnapshots()).hasSize(1);
        assertThat(fixture.allStates()).hasSize(1);
        assertThat(fixture.noOutput()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"665D3AF3621BCCF3FE29E1A4", "665d3af3621bccf3fe29e1a", "665d3af3621bccf3fe29e1a40",
        "g65d3af3621bccf3fe29e1a4", "", "665d3af3621bccf3fe29e1a\u00e9"})
    @NullSource
    void malformedIdsAnswer400ObjectIdAndChangeNothing(String id) {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(bytes("front-end-key"), command("r-1", id, EXAMPLE_UID), t0);

        assertError(fixture.answer(), "front-end-key", expectedError("r-1", id, ErrorCode.INVALID_PARAMETER_OBJECT_ID));
        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
        assertThat(fixture.allStates()).as("the job's, when it was stored").hasSize(1);
        assertThat(fixture.noOutput()).isTrue();
    }

    @Test
    void aJobUpdateWritesOneRecordToTheReplayMemoryHoweverManyAnswersItHolds() {
        TestOutputTopic<byte[], byte[]> changelog = fixture.driver.createOutputTopic(
                "preload-job-processor-remembered-answers-changelog", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(i));
        }
        for (int i = 0; i < 200; i++) {
            fixture.reset("planted-" + i, EXAMPLE_ID, "intruder-" + i, t0.plusSeconds(10));
        }
        List<ProcessorHarness.Answer> firsts = fixture.snapshots(5);
        fixture.errors(200);
        assertThat(changelog.readRecordsToList()).hasSize(205);

        fixture.putJob(exampleJobWith("renamed", 2, 2), 5, t0.plusSeconds(20));
        fixture.deleteJob(EXAMPLE_ID, t0.plusSeconds(21));

        assertThat(changelog.readRecordsToList())
                .as("the version the snapshots showed; none of the job in progress that the tombstone deleted").hasSize(1);
        for (int i = 0; i < 5; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(30 + i));
        }
        assertThat(fixture.snapshots(5)).isEqualTo(firsts);
    }

    /** r-1 answered with a snapshot of the example job, which is then renamed (a new version) at t0 + 1 s. */
    private void answeredThenRenamed() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        fixture.answer();
        fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), t0.plusSeconds(1));
    }

    @Test
    void aSnapshotWhoseVersionIsGoneIsForgottenAndTheCommandAnsweredAnew() {
        answeredThenRenamed();
        KeyValueStore<Bytes, byte[]> answers = fixture.driver.getKeyValueStore(ResetTopology.ANSWER_STORE);
        try (KeyValueIterator<Bytes, byte[]> all = answers.all()) {
            while (all.hasNext()) {
                Bytes key = all.next().key;
                if (key.get()[24] == (byte) 0xFF) {
                    answers.delete(key); // as if purged before the answer that showed it
                }
            }
        }

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(2));

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1").put("Name", "renamed"));
    }

    @Test
    void aKeptVersionIsForgottenARetentionAfterItWasSupersededAndItsSnapshotsWithIt() {
        answeredThenRenamed();
        assertThat(countRemembered()).as("the answer and the version it showed").isEqualTo(2);

        fixture.reset("later", OTHER_ID, EXAMPLE_UID, t0.plus(Duration.ofDays(2)));
        fixture.answer();
        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);

        assertThat(countRemembered()).as("only the latest answer").isEqualTo(1);
    }

    @Test
    void answersAreRememberedForTheRetentionAndThenForgotten() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        String first = fixture.answer().document();
        fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), t0.plusSeconds(1));
        Duration retention = Duration.ofHours(24);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plus(retention).minusMillis(1));
        assertThat(fixture.answer().document()).isEqualTo(first);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plus(retention));
        assertSnapshot(fixture.answer(), expectedSnapshot("r-1").put("Name", "renamed"));
    }

    @Test
    void rememberedAnswersAreDroppedFromTheStoreOnceExpired() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 100; i++) {
            fixture.reset("old-" + i, OTHER_ID, EXAMPLE_UID, t0.plusSeconds(i));
        }
        assertThat(countRemembered()).isEqualTo(100);

        fixture.reset("new", EXAMPLE_ID, EXAMPLE_UID, t0.plus(Duration.ofDays(3)));
        assertThat(countRemembered()).as("before the purge runs").isEqualTo(101);

        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);

        assertThat(countRemembered()).isEqualTo(1);
    }

    @Test
    void commandsStampedAYearAheadDoNotCarryThePurgePastTheAnswersRemembered() {
        java.time.Instant now = java.time.Instant.now();
        fixture.putJob(EXAMPLE_ID, EXAMPLE_JOB, now.minusSeconds(30));
        fixture.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, now.minusSeconds(20));
        String first = fixture.answer().document();
        fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), now.minusSeconds(10));
        for (int i = 0; i < 3; i++) {
            fixture.reset("ahead-" + i, EXAMPLE_ID, EXAMPLE_UID, now.plus(Duration.ofDays(365)));
        }
        fixture.snapshots(3);

        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);

        fixture.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, java.time.Instant.now());
        assertThat(fixture.answer().document()).as("the first answer, not a new reset of the renamed job").isEqualTo(first);
    }

    @Test
    void aCommandDatedInThePastIsRememberedForTheWholeRetentionAsAnyOther() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("now", OTHER_ID, EXAMPLE_UID, t0.plus(Duration.ofDays(2)));
        fixture.answer();
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0); // dated two days, two retentions, back
        ProcessorHarness.Answer first = fixture.answer();

        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertThat(fixture.answer()).as("the first answer, not a second reset").isEqualTo(first);
    }

    @Test
    void thePurgeGoesRoundTheStoreASliceAtATime() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 2_500; i++) {
            fixture.reset("old-" + i, OTHER_ID, EXAMPLE_UID, t0.plusMillis(i));
        }
        fixture.reset("new", EXAMPLE_ID, EXAMPLE_UID, t0.plus(Duration.ofDays(3)));

        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);
        assertThat(countRemembered()).as("after one purge of at most 1,000 answers").isBetween(1_501, 1_600);

        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);
        fixture.driver.advanceWallClockTime(ReplayMemory.PURGE_INTERVAL);
        assertThat(countRemembered()).isEqualTo(1);
    }

    private int countRemembered() {
        int count = 0;
        try (KeyValueIterator<Bytes, byte[]> all =
                     fixture.driver.<Bytes, byte[]>getKeyValueStore(ResetTopology.ANSWER_STORE).all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    @Test
    void anAcceptedResetRemembersThirtyThreeBytesNotItsSnapshot() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        fixture.answer();
        byte[] remembered = fixture.driver.<Bytes, byte[]>getKeyValueStore(ResetTopology.ANSWER_STORE)
                .get(ReplayMemory.key(new ResetCommand("r-1", EXAMPLE_ID, EXAMPLE_UID)));
        assertThat(remembered).hasSize(8 + 1 + 16 + 8); // its time, the form, the digest of the job's version, the generation
    }

    @Test
    void valuesWrittenByEarlierVersionsAreStillReadAndReplayed() {
        // A job stored by an earlier version (format 1, without the digest), and an answer it
        // remembered as "a snapshot of the job as it stands" (0).
        byte[] earlierJob = StoredJobFormatTest.earlierFormat(1, EXAMPLE_JOB.restarted(), new long[] {t0.toEpochMilli()});
        fixture.driver.<String, StoredJob>getKeyValueStore(ResetTopology.JOB_STORE)
                .put(EXAMPLE_ID, StoredJobFormat.fromBytes(earlierJob));
        byte[] snapshot = Json.write(new Snapshot("r-1", EXAMPLE_JOB.restarted()));
        byte[] earlierAnswer = ByteBuffer.allocate(Long.BYTES + 1).putLong(t0.toEpochMilli()).put((byte) 0).array();
        fixture.driver.<Bytes, byte[]>getKeyValueStore(ResetTopology.ANSWER_STORE)
                .put(ReplayMemory.key(new ResetCommand("r-1", EXAMPLE_ID, EXAMPLE_UID)), earlierAnswer);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(1));
        fixture.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(2));

        List<ProcessorHarness.Answer> answers = fixture.snapshots(2);
        assertThat(answers.get(0).document()).isEqualTo(new String(snapshot, StandardCharsets.UTF_8));
        assertThat(answers.get(1).document())
                .isEqualTo(new String(Json.write(new Snapshot("r-2", EXAMPLE_JOB.restarted())), StandardCharsets.UTF_8));
        assertThat(fixture.storedJob(EXAMPLE_ID).recentResets()).containsExactly(t0.toEpochMilli(), t0.plusSeconds(2).toEpochMilli());
        assertThat(answers).extracting(ProcessorHarness.Answer::generation)
                .as("an answer remembered without a generation is replayed without the header").containsExactly(null, "1");
        assertThat(fixture.storedJob(EXAMPLE_ID).generation()).as("a job stored without one is at 0; one reset").isEqualTo(1);
    }

    @Test
    void aSnapshotRememberedByTheVersionBeforeGenerationsIsReplayedWithoutTheHeader() {
        fixture.putJob(EXAMPLE_JOB.restarted());
        byte[] digest = new byte[16];
        StoredJob.of(EXAMPLE_JOB.restarted()).copyDigest(digest, 0);
        byte[] earlierAnswer = ByteBuffer.allocate(Long.BYTES + 1 + 16).putLong(t0.toEpochMilli()).put((byte) 1).put(digest)
                .array();
        fixture.driver.<Bytes, byte[]>getKeyValueStore(ResetTopology.ANSWER_STORE)
                .put(ReplayMemory.key(new ResetCommand("r-1", EXAMPLE_ID, EXAMPLE_UID)), earlierAnswer);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(1));

        ProcessorHarness.Answer replay = fixture.answer();
        assertSnapshot(replay, expectedSnapshot("r-1"));
        assertThat(replay.generation()).isNull();
        assertThat(fixture.storedJob(EXAMPLE_ID).generation()).isZero();
    }

    @Test
    void aJobAndACommandKeyedByTheirIdOnTheirPartitionSkipTheRepartitionTopic() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
        assertThat(fixture.driver.producedTopicNames()).doesNotContain(REPARTITION_TOPIC);
    }

    @Test
    void unkeyedCommandTakesTheRepartitionTopic() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(null, command("r-1", EXAMPLE_ID, EXAMPLE_UID), t0);

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
        assertThat(fixture.driver.producedTopicNames()).contains(REPARTITION_TOPIC);
    }

    @Test
    void answersCarryNoneOfTheCommandsHeadersOnlyTheSnapshotsGeneration() {
        fixture.putJob(EXAMPLE_JOB);
        RecordHeaders headers = new RecordHeaders();
        headers.add("__streams.errors.exception", bytes("forged"));
        headers.add("trace", bytes("abc"));

        fixture.send(new TestRecord<>(bytes(EXAMPLE_ID), bytes(command("r-1", EXAMPLE_ID, EXAMPLE_UID)), headers, t0));
        fixture.send(new TestRecord<>(null, bytes(command("r-2", EXAMPLE_ID, "intruder")), headers, t0));

        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        assertThat(fixture.driver.createOutputTopic(fixture.topics().snapshots(), bytes, bytes)
                .readRecord().headers().toArray()).containsExactly(new RecordHeader("preload.generation", bytes("1")));
        assertThat(fixture.driver.createOutputTopic(fixture.topics().state(), bytes, bytes)
                .readRecordsToList()).allSatisfy(state -> assertThat(state.headers().toArray()).isEmpty());
        assertThat(fixture.driver.createOutputTopic(fixture.topics().errors(), bytes, bytes)
                .readRecord().headers().toArray()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json", "null", "[]", "\"text\"",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"SiteId\":\"190007158391808\"}",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"UrlCount\":1.5}",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"UrlCount\":4294967296}",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"Name\":42}",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":true}",
        "{\"Id\":\"665d3af3621bccf3fe29e1a4\"} {}",
    })
    void jobOfTheWrongShapeGoesToTheDeadLetterQueue(String value) {
        fixture.putRawJob(bytes(EXAMPLE_ID), bytes(value), t0);

        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
        assertThat(fixture.deadLetters(1)).singleElement().satisfies(dead -> {
            assertThat(dead.value()).isEqualTo(bytes(value));
            assertThat(dead.header("__streams.errors.exception")).isEqualTo(InvalidJobException.class.getName());
        });
        assertThat(fixture.noOutput()).isTrue();
    }

    /** A compacted topic refuses records without a key, so only the driver can deliver one. */
    @Test
    void jobWithoutKeyGoesToTheDeadLetterQueue() {
        ProcessorHarness.Position position = fixture.putRawJob(null, Json.write(EXAMPLE_JOB), t0);
        ProcessorHarness.Position tombstone = fixture.putRawJob(null, null, t0);

        List<ProcessorHarness.DeadLetter> dead = fixture.deadLetters(2);
        assertDeadLetter(dead.get(0), null, Json.write(EXAMPLE_JOB), InvalidJobException.class.getName(),
                "The job record has no key; it must be the job's Id.", position);
        assertDeadLetter(dead.get(1), null, null, InvalidJobException.class.getName(),
                "The job record has no key; it must be the job's Id.", tombstone);
    }

    @Test
    void theReadmesExampleJobIsTheApiPagesJob() throws java.io.IOException {
        cdn.preload.domain.Job example = Json.read(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("examples", "job.json")),
                cdn.preload.domain.Job.class);

        assertThat(example).isEqualTo(EXAMPLE_JOB);
    }

    @Test
    void everyNodeCarriesANameTheTopologyChose() {
        TopologyDescription description = ResetTopology.build(Topics.DEFAULT, RateLimit.DEFAULT, Duration.ofHours(24))
                .describe();
        List<String> names = new ArrayList<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> names.add(node.name())));

        assertThat(names).containsExactlyInAnyOrder(
                "jobs-source", "check-job", "job-", "job-dead-letter", "jobs-dlq-sink", "job-elsewhere", "job-home",
                "commands-source", "check-command", "command-", "command-refused", "refused-sink",
                "command-dead-letter", "commands-dlq-sink", "command-elsewhere", "command-home",
                "reroute", "commands-by-job-id-repartition-filter", "commands-by-job-id-repartition-sink",
                "progress-source", "check-progress", "progress-", "progress-dead-letter", "progress-dlq-sink",
                "progress-elsewhere", "progress-home", "reroute-progress",
                "commands-by-job-id-repartition-source", "rerouted-", "rerouted-job", "rerouted-progress", "rerouted-command",
                "job-merge", "store-job", "progress-merge", "apply-progress", "merge", "reset-job",
                "outcome-", "outcome-snapshot", "outcome-error", "outcome-state", "snapshots-sink", "errors-sink",
                "owner-merge", "owner-", "owner-dead-letter", "ahead-dlq-sink", "owner-state", "state-merge", "state-sink");
        assertThat(description.toString()).doesNotContain("KSTREAM-", "KTABLE-");
        assertThat(description.subtopologies()).hasSize(1);
    }

    /** Bytes that Jackson reads as UTF-32 of an order it does not support: its error is not a parse error. */
    private static final byte[] LOOKS_LIKE_UTF32 = {0x00, 0x7B, 0x00, 0x00};

    @Test
    void aJobWhoseBytesLookLikeUtf32IsADeadLetterNotAFailure() {
        ProcessorHarness.Position position = fixture.putRawJob(bytes(EXAMPLE_ID), LOOKS_LIKE_UTF32, t0);

        assertDeadLetter(fixture.deadLetters(1).get(0), bytes(EXAMPLE_ID), LOOKS_LIKE_UTF32, InvalidJobException.class.getName(),
                "Not a valid Job: Unsupported UCS-4 endianness (3412) detected", position);
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void aCommandWhoseBytesLookLikeUtf32IsAnsweredInvalidParameterNotAFailure() {
        ProcessorHarness.Position position = fixture.send(bytes(EXAMPLE_ID), LOOKS_LIKE_UTF32, t0);

        ProcessorHarness.Answer answer = fixture.answer();
        assertThat(answer.document()).contains("\"Code\":\"InvalidParameter\"",
                "\"Message\":\"The command is not valid JSON: Unsupported UCS-4 endianness (3412) detected.\"");
        assertDeadLetter(fixture.deadLetters(1).get(0), bytes(EXAMPLE_ID), LOOKS_LIKE_UTF32,
                "cdn.preload.domain.UnparseableCommandException",
                "The command is not valid JSON: Unsupported UCS-4 endianness (3412) detected.", position);
    }
}
