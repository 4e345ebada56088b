package cdn.preload.streams;

import static cdn.preload.streams.TopologyFixture.EXAMPLE_ID;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_JOB;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_REQUEST_ID;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_UID;
import static cdn.preload.streams.TopologyFixture.T0;
import static cdn.preload.streams.TopologyFixture.bytes;
import static cdn.preload.streams.TopologyFixture.command;
import static cdn.preload.streams.TopologyFixture.header;
import static cdn.preload.streams.TopologyFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ApiPage;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.TopologyFixture.Answer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResetTopologyTest {
    private static final String OTHER_ID = "665d3af3621bccf3fe29e1ff";
    private static final String REPARTITION_TOPIC = "preload-job-processor-commands-by-job-id-repartition";

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    // --- expected documents, spelled from the API page and the catalogue ---

    /** The API page's success example, with the progress restarted and the given RequestId. */
    private static ObjectNode expectedSnapshot(String requestId) {
        ObjectNode example = (ObjectNode) json(ApiPage.successExample());
        return example.put("RequestId", requestId).put("TaskSubmitted", 0).put("UrlSubmitted", 0);
    }

    private static JsonNode expectedError(String requestId, String id, ErrorCode error) {
        return Json.MAPPER.createObjectNode()
                .put("RequestId", requestId)
                .put("Id", id)
                .put("HttpStatusCode", error.httpStatus())
                .put("Code", error.code())
                .put("Message", error.message())
                .put("Description", error.description());
    }

    private static Job exampleJobWith(String name, int urlSubmitted, int taskSubmitted) {
        Job e = EXAMPLE_JOB;
        return new Job(e.id(), name, e.siteId(), e.aliUid(), e.domains(), e.taskType(), e.insertWay(), e.fileId(),
                e.urlCount(), urlSubmitted, taskSubmitted, e.errorInfo(), e.failedFileOss(), e.createdAt());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private void assertSnapshot(Answer answer, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.key()).isEqualTo(EXAMPLE_ID);
        assertThat(answer.json()).isEqualTo(expected);
    }

    private void assertError(Answer answer, String key, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(key);
        assertThat(answer.json()).isEqualTo(expected);
    }

    // --- the reset ---

    @Test
    void resetAnswersTheApiSuccessExampleWithTheProgressRestarted() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, T0);

        Answer answer = fixture.answer();
        assertSnapshot(answer, expectedSnapshot(EXAMPLE_REQUEST_ID));
        assertThat(fieldNames(answer.json())).containsExactlyElementsOf(fieldNames(json(ApiPage.successExample())));
        assertThat(fixture.storedJob(EXAMPLE_ID))
                .isEqualTo(new StoredJob(exampleJobWith("example", 0, 0), new long[] {T0.toEpochMilli()}));
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void aValueTheJobLacksIsWrittenAsNull() {
        fixture.putJob(new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, null, null, null, null, null, 7, null, null, null, null));

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);

        assertThat(fixture.answer().document()).isEqualTo("{\"RequestId\":\"r-1\",\"AliUid\":\"15685865xxx14622\","
                + "\"CreatedAt\":null,\"Domains\":null,\"ErrorInfo\":null,\"FailedFileOss\":null,\"FileId\":null,"
                + "\"Id\":\"665d3af3621bccf3fe29e1a4\",\"InsertWay\":null,\"Name\":null,\"SiteId\":null,"
                + "\"TaskSubmitted\":0,\"TaskType\":null,\"UrlCount\":null,\"UrlSubmitted\":0}");
    }

    @Test
    void resetOfUnknownJobAnswers404() {
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);

        assertError(fixture.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":404,"Code":"InvalidJob.NotFound",
                 "Message":"The task does not exist. Check whether the task ID is correct or whether the task has been deleted.",
                 "Description":"The task does not exist. Check whether the task ID is correct or whether the task has been deleted."}
                """));
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void resetAfterTheJobsTombstoneAnswers404() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.deleteJob(EXAMPLE_ID, T0);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(1));

        assertError(fixture.answer(), EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void resetByAnotherAccountAnswers403AndShowsNothingOfTheJob() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.reset("r-1", EXAMPLE_ID, "intruder", T0);

        Answer answer = fixture.answer();
        assertError(answer, EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));
        assertThat(fieldNames(answer.json()))
                .containsExactly("RequestId", "Id", "HttpStatusCode", "Code", "Message", "Description");
        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void resetWithoutAccountAnswers403() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(bytes(EXAMPLE_ID), "{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\"}", T0);

        assertError(fixture.answer(), EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"665D3AF3621BCCF3FE29E1A4", "665d3af3621bccf3fe29e1a", "665d3af3621bccf3fe29e1a40",
        "g65d3af3621bccf3fe29e1a4", "", "665d3af3621bccf3fe29e1a\u00e9"})
    @NullSource
    void malformedIdAnswers400ObjectIdKeyedByTheRecordKey(String id) {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(bytes("front-end-key"), command("r-1", id, EXAMPLE_UID), T0);

        assertError(fixture.answer(), "front-end-key", expectedError("r-1", id, ErrorCode.INVALID_PARAMETER_OBJECT_ID));
        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void malformedIdOfAnUnkeyedCommandAnswersWithoutKey() {
        fixture.send(null, command("r-1", "nope", EXAMPLE_UID), T0);

        assertError(fixture.answer(), null, expectedError("r-1", "nope", ErrorCode.INVALID_PARAMETER_OBJECT_ID));
    }

    // --- the rate limit ---

    @Test
    void sixthResetWithinTheWindowAnswersTooManyRequestsAndOneWindowLaterItIsAccepted() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(i));
            assertSnapshot(fixture.answer(), expectedSnapshot("r-" + i));
        }

        fixture.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, T0.plusMillis(59_999));
        assertError(fixture.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));

        fixture.reset("r-6", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(60)); // the reset at T0 has left the window
        assertSnapshot(fixture.answer(), expectedSnapshot("r-6"));
    }

    @Test
    void refusedResetsDoNotCountTowardsTheLimit() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 10; i++) {
            fixture.reset("denied-" + i, EXAMPLE_ID, "intruder", T0);
        }
        assertThat(fixture.errors()).hasSize(10);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
    }

    @Test
    void theLimitHoldsAcrossUpdatesOfTheJob() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, T0);
        }
        fixture.snapshots();
        fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), T0);

        fixture.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(1));

        assertError(fixture.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));
    }

    // --- replays ---

    @Test
    void replayReturnsTheFirstSnapshotEvenAfterTheJobChangedAndLeavesTheStoreAlone() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, T0);
        String first = fixture.answer().document();
        Job progressed = exampleJobWith("renamed", 2, 2);
        fixture.putJob(EXAMPLE_ID, progressed, T0.plusSeconds(10));

        fixture.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(20));

        Answer replay = fixture.answer();
        assertThat(replay.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(replay.document()).isEqualTo(first);
        assertThat(fixture.storedJob(EXAMPLE_ID).job()).isEqualTo(progressed);
    }

    @Test
    void replayOfAnErrorReturnsTheSameErrorEvenOnceTheJobExists() {
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);
        Answer first = fixture.answer();
        fixture.putJob(EXAMPLE_ID, EXAMPLE_JOB, T0.plusSeconds(1));

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(2));

        assertThat(fixture.answer()).isEqualTo(first);
        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void replayIsAnsweredEvenWhenTheRateLimitWouldRefuseANewReset() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, T0);
        }
        List<Answer> firsts = fixture.snapshots();

        fixture.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(1));

        assertThat(fixture.answer()).isEqualTo(firsts.get(0));
    }

    @Test
    void sameRequestIdFromAnotherAccountIsNotAReplayAndGetsNothingOfTheFirstAnswer() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("shared", EXAMPLE_ID, EXAMPLE_UID, T0);
        fixture.answer();

        fixture.reset("shared", EXAMPLE_ID, "intruder", T0.plusSeconds(1));
        assertError(fixture.answer(), EXAMPLE_ID, expectedError("shared", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));

        // and the owner's replay still gets the owner's first answer
        fixture.reset("shared", EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(2));
        assertSnapshot(fixture.answer(), expectedSnapshot("shared"));
        assertThat(fixture.storedJob(EXAMPLE_ID).recentResets()).containsExactly(T0.toEpochMilli());
    }

    @Test
    void sameRequestIdForAnotherJobIsNotAReplay() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("shared", EXAMPLE_ID, EXAMPLE_UID, T0);
        fixture.answer();

        fixture.reset("shared", OTHER_ID, EXAMPLE_UID, T0.plusSeconds(1));

        assertError(fixture.answer(), OTHER_ID, expectedError("shared", OTHER_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    @Test
    void answersAreRememberedForTheRetentionAndThenForgotten() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);
        String first = fixture.answer().document();
        fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), T0.plusSeconds(1));
        Duration retention = Duration.ofHours(24);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0.plus(retention).minusMillis(1));
        assertThat(fixture.answer().document()).isEqualTo(first);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0.plus(retention));
        assertSnapshot(fixture.answer(), expectedSnapshot("r-1").put("Name", "renamed"));
    }

    @Test
    void rememberedAnswersAreDroppedFromTheStoreOnceExpired() {
        fixture.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 100; i++) {
            fixture.reset("old-" + i, OTHER_ID, EXAMPLE_UID, T0.plusSeconds(i));
        }
        assertThat(countRemembered()).isEqualTo(100);

        fixture.reset("new", EXAMPLE_ID, EXAMPLE_UID, T0.plus(Duration.ofDays(3)));

        assertThat(countRemembered()).isEqualTo(1);
    }

    private int countRemembered() {
        int count = 0;
        try (KeyValueIterator<Windowed<Bytes>, byte[]> all =
                     fixture.driver.<Bytes, byte[]>getWindowStore(ResetTopology.ANSWER_STORE).all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        return count;
    }

    // --- routing ---

    @Test
    void commandKeyedByItsIdSkipsTheRepartitionTopic() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
        assertThat(fixture.driver.producedTopicNames()).doesNotContain(REPARTITION_TOPIC);
    }

    @Test
    void unkeyedCommandIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(null, command("r-1", EXAMPLE_ID, EXAMPLE_UID), T0);

        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
        assertThat(fixture.driver.producedTopicNames()).contains(REPARTITION_TOPIC);
    }

    @Test
    void commandKeyedBySomethingElseIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        fixture.putJob(EXAMPLE_JOB);

        fixture.send(new byte[] {(byte) 0xFF, 0, 1}, command("r-1", EXAMPLE_ID, EXAMPLE_UID), T0);
        fixture.send(bytes(EXAMPLE_ID.toUpperCase(Locale.ROOT)), command("r-2", EXAMPLE_ID, EXAMPLE_UID), T0);

        assertThat(fixture.snapshots()).extracting(Answer::key, Answer::json)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EXAMPLE_ID, expectedSnapshot("r-1")),
                        org.assertj.core.groups.Tuple.tuple(EXAMPLE_ID, expectedSnapshot("r-2")));
    }

    @Test
    void outcomesOfOneJobFollowTheOrderOfItsCommands() {
        fixture.putJob(EXAMPLE_JOB);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String requestId = "r-" + i;
            sent.add(requestId);
            fixture.reset(requestId, EXAMPLE_ID, EXAMPLE_UID, T0.plusSeconds(15L * i));
        }

        assertThat(fixture.snapshots()).extracting(answer -> answer.json().get("RequestId").asText())
                .containsExactlyElementsOf(sent);
    }

    @Test
    void commandWithoutRequestIdGetsOneDerivedFromItsPositionOnTheCommandsTopic() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.send(null, "{\"Id\":\"" + OTHER_ID + "\",\"AliUid\":\"u\"}", T0);
        fixture.answer();

        fixture.send(null, "{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"" + EXAMPLE_UID + "\"}", T0);

        String derived = UUID.nameUUIDFromBytes("preload-job-reset-commands/0/1".getBytes(StandardCharsets.UTF_8))
                .toString().toUpperCase(Locale.ROOT);
        assertSnapshot(fixture.answer(), expectedSnapshot(derived));
    }

    @Test
    void answersCarryNoneOfTheCommandsHeaders() {
        fixture.putJob(EXAMPLE_JOB);
        RecordHeaders headers = new RecordHeaders();
        headers.add("__streams.errors.exception", bytes("forged"));
        headers.add("trace", bytes("abc"));

        fixture.send(new TestRecord<>(bytes(EXAMPLE_ID), bytes(command("r-1", EXAMPLE_ID, EXAMPLE_UID)), headers, T0));
        fixture.send(new TestRecord<>(null, bytes(command("r-2", EXAMPLE_ID, "intruder")), headers, T0));

        assertThat(fixture.driver.createOutputTopic(fixture.settings.topics().snapshots(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())
                .readRecord().headers().toArray()).isEmpty();
        assertThat(fixture.driver.createOutputTopic(fixture.settings.topics().errors(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())
                .readRecord().headers().toArray()).isEmpty();
    }

    // --- bad input ---

    @Test
    void unparseableCommandAnswers400AndGoesToTheDeadLetterQueueAndProcessingGoesOn() {
        fixture.putJob(EXAMPLE_JOB);
        byte[] key = {1, 2, 3};
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":");

        fixture.send(key, value, T0);

        String problem = "The command is not valid JSON: Unexpected end-of-input within/between Object entries (at byte 24).";
        Answer answer = fixture.answer();
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(new String(key, StandardCharsets.UTF_8));
        assertThat(answer.json()).isEqualTo(json("""
                {"RequestId":null,"Id":null,"HttpStatusCode":400,"Code":"InvalidParameter","Message":"%s",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """.formatted(problem)));
        assertDeadLetter(key, value, "cdn.preload.domain.UnparseableCommandException", problem,
                fixture.settings.topics().commands(), 0);

        fixture.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, T0);
        assertSnapshot(fixture.answer(), expectedSnapshot("r-2"));
    }

    @Test
    void commandWithAFieldOfTheWrongTypeEchoesItsRequestId() {
        fixture.send(bytes(EXAMPLE_ID), "{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":42}", T0);

        Answer answer = fixture.answer();
        assertError(answer, EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":400,"Code":"InvalidParameter",
                 "Message":"Field \\"AliUid\\" must be a string, not a number.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """));
        assertThat(fixture.deadLetters()).hasSize(1);
    }

    @Test
    void commandWithoutValueAnswers400AndGoesToTheDeadLetterQueue() {
        fixture.send(bytes("k"), (byte[]) null, T0);

        assertThat(fixture.answer().json().get("Message").asText()).isEqualTo("The command has no value.");
        assertDeadLetter(bytes("k"), null, "cdn.preload.domain.UnparseableCommandException",
                "The command has no value.", fixture.settings.topics().commands(), 0);
    }

    @Test
    void unparseableJobGoesToTheDeadLetterQueueAndIsNotStored() {
        byte[] value = bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"UrlCount\":\"many\"}");

        fixture.putRawJob(bytes(EXAMPLE_ID), value, T0);

        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
        assertDeadLetter(bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "Not a valid Job: Cannot coerce String value (\"many\") to `java.lang.Integer` value"
                        + " (but might if coercion using `CoercionConfig` was enabled)",
                fixture.settings.topics().jobs(), 0);
        assertThat(fixture.noOutput()).isTrue();
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
        fixture.putRawJob(bytes(EXAMPLE_ID), bytes(value), T0);

        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
        List<TestRecord<byte[], byte[]>> dead = fixture.deadLetters();
        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(record.value()).isEqualTo(bytes(value));
            assertThat(header(record, "__streams.errors.exception")).isEqualTo(InvalidJobException.class.getName());
        });
    }

    @Test
    void jobWithUnknownFieldsIsStoredWithoutThem() {
        fixture.putRawJob(bytes(EXAMPLE_ID), bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"u\",\"Future\":{\"x\":1}}"), T0);

        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(
                new Job(EXAMPLE_ID, null, null, "u", null, null, null, null, null, null, null, null, null, null)));
        assertThat(fixture.deadLetters()).isEmpty();
    }

    @Test
    void jobWhoseIdDiffersFromItsKeyGoesToTheDeadLetterQueue() {
        fixture.putJob(OTHER_ID, EXAMPLE_JOB, T0);

        assertThat(fixture.storedJob(OTHER_ID)).isNull();
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
        assertDeadLetter(bytes(OTHER_ID), Json.write(EXAMPLE_JOB), InvalidJobException.class.getName(),
                "The job's Id 665d3af3621bccf3fe29e1a4 does not match the record key.", fixture.settings.topics().jobs(), 0);
    }

    @Test
    void jobWithAMalformedIdOrNoKeyGoesToTheDeadLetterQueue() {
        Job malformed = new Job("NOT-AN-ID", null, null, EXAMPLE_UID, null, null, null, null, null, null, null, null, null, null);
        fixture.putJob("NOT-AN-ID", malformed, T0);
        fixture.putRawJob(null, Json.write(EXAMPLE_JOB), T0);

        assertThat(fixture.deadLetters()).extracting(record -> header(record, "__streams.errors.message"))
                .containsExactly("The job's Id must be 24 lower-case hexadecimal digits.",
                        "The job record has no key; it must be the job's Id.");
        assertThat(fixture.storedJob("NOT-AN-ID")).isNull();
    }

    private void assertDeadLetter(byte[] key, byte[] value, String exception, String message, String topic, long offset) {
        List<TestRecord<byte[], byte[]>> dead = fixture.deadLetters();
        assertThat(dead).hasSize(1);
        TestRecord<byte[], byte[]> record = dead.get(0);
        assertThat(record.key()).isEqualTo(key);
        assertThat(record.value()).isEqualTo(value);
        assertThat(header(record, "__streams.errors.exception")).isEqualTo(exception);
        assertThat(header(record, "__streams.errors.message")).isEqualTo(message);
        assertThat(header(record, "__streams.errors.topic")).isEqualTo(topic);
        assertThat(header(record, "__streams.errors.partition")).isEqualTo("0");
        assertThat(header(record, "__streams.errors.offset")).isEqualTo(Long.toString(offset));
    }

    // --- the topology itself ---

    @Test
    void everyNodeCarriesANameTheTopologyChose() {
        TopologyDescription description = ResetTopology.build(Topics.DEFAULT, cdn.preload.domain.RateLimit.DEFAULT,
                Duration.ofHours(24)).describe();
        List<String> names = new ArrayList<>();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> names.add(node.name())));

        assertThat(names).containsExactlyInAnyOrder(
                "jobs-source", "store-job",
                "commands-source", "check-command", "route-", "route-by-job-id", "route-direct",
                "key-by-job-id", "commands-by-job-id-repartition-filter", "commands-by-job-id-repartition-sink",
                "commands-by-job-id-repartition-source", "merge", "reset-job",
                "outcome-", "outcome-snapshot", "outcome-error", "snapshots-sink", "errors-sink");
        assertThat(description.toString()).doesNotContain("KSTREAM-", "KTABLE-");
        assertThat(description.subtopologies()).singleElement()
                .satisfies(sub -> assertThat(sub.nodes()).anySatisfy(node -> assertThat(node.name()).isEqualTo("reset-job")));
    }
}
