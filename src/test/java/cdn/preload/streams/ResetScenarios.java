package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_REQUEST_ID;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.exampleJobWith;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.Examples.expectedState;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ApiPage;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.DeadLetter;
import cdn.preload.streams.ProcessorHarness.Position;
import cdn.preload.streams.ProcessorHarness.State;
import cdn.preload.domain.InvalidProgressException;
import java.util.LinkedHashMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract's scenarios, one per behaviour, asserting whole documents. They run against the
 * TopologyTestDriver ({@link ResetTopologyTest}) and against a real broker ({@code ResetScenariosIT}).
 */
abstract class ResetScenarios {
    protected ProcessorHarness h;
    protected Instant t0;

    protected abstract ProcessorHarness start();

    @BeforeEach
    void startProcessor() {
        h = start();
        t0 = h.t0();
    }

    @AfterEach
    void stopProcessor() {
        h.close();
    }

    protected static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    protected static void assertSnapshot(Answer answer, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.key()).isEqualTo(expected.get("Id").asText());
        assertThat(answer.json()).isEqualTo(expected);
    }

    protected static void assertError(Answer answer, String key, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(key);
        assertThat(answer.json()).isEqualTo(expected);
    }

    protected static void assertDeadLetter(DeadLetter dead, byte[] key, byte[] value, String exception, String message,
                                           Position from) {
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.value()).isEqualTo(value);
        assertThat(dead.header("__streams.errors.exception")).isEqualTo(exception);
        assertThat(dead.header("__streams.errors.message")).isEqualTo(message);
        assertThat(dead.header("__streams.errors.topic")).isEqualTo(from.topic());
        assertThat(dead.header("__streams.errors.partition")).isEqualTo(Integer.toString(from.partition()));
        assertThat(dead.header("__streams.errors.offset")).isEqualTo(Long.toString(from.offset()));
    }

    // --- the reset ---

    @Test
    void resetAnswersTheApiSuccessExampleWithTheProgressRestarted() {
        h.putJob(EXAMPLE_JOB);

        h.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, t0);

        Answer answer = h.answer();
        assertSnapshot(answer, expectedSnapshot(EXAMPLE_REQUEST_ID));
        assertThat(answer.generation()).isEqualTo("1");
        assertThat(fieldNames(answer.json())).containsExactlyElementsOf(fieldNames(json(ApiPage.successExample())));
        assertThat(h.storedJob(EXAMPLE_ID))
                .isEqualTo(new StoredJob(exampleJobWith("example", 0, 0), new long[] {t0.toEpochMilli()}, 1));
        assertThat(h.states(2)).extracting(State::json)
                .containsExactly(expectedState(EXAMPLE_JOB, 0), expectedState(exampleJobWith("example", 0, 0), 1));
    }

    @Test
    void aValueTheJobLacksIsWrittenAsNull() {
        h.putJob(new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, null, null, null, null, null, 7, null, null, null, null));

        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertThat(h.answer().document()).isEqualTo("{\"RequestId\":\"r-1\",\"AliUid\":\"15685865xxx14622\","
                + "\"CreatedAt\":null,\"Domains\":null,\"ErrorInfo\":null,\"FailedFileOss\":null,\"FileId\":null,"
                + "\"Id\":\"665d3af3621bccf3fe29e1a4\",\"InsertWay\":null,\"Name\":null,\"SiteId\":null,"
                + "\"TaskSubmitted\":0,\"TaskType\":null,\"UrlCount\":null,\"UrlSubmitted\":0}");
    }

    @Test
    void resetOfUnknownJobAnswers404() {
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertError(h.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":404,"Code":"InvalidJob.NotFound",
                 "Message":"The task does not exist. Check whether the task ID is correct or whether the task has been deleted.",
                 "Description":"The task does not exist. Check whether the task ID is correct or whether the task has been deleted."}
                """));
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void resetAfterTheJobsTombstoneAnswers404() {
        h.putJob(EXAMPLE_JOB);
        h.deleteJob(EXAMPLE_ID, t0.minusMillis(500));

        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertError(h.answer(), EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void resetByAnotherAccountAnswers403AndShowsNothingOfTheJob() {
        h.putJob(EXAMPLE_JOB);

        h.reset("r-1", EXAMPLE_ID, "intruder", t0);

        Answer answer = h.answer();
        assertError(answer, EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));
        assertThat(fieldNames(answer.json()))
                .containsExactly("RequestId", "Id", "HttpStatusCode", "Code", "Message", "Description");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void resetWithoutAccountAnswers403() {
        h.putJob(EXAMPLE_JOB);

        h.send(bytes(EXAMPLE_ID), "{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\"}", t0);

        assertError(h.answer(), EXAMPLE_ID, expectedError("r-1", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));
    }

    @Test
    void malformedIdAnswers400ObjectIdKeyedByTheRecordKey() {
        h.putJob(EXAMPLE_JOB);
        String upperCase = EXAMPLE_ID.toUpperCase(Locale.ROOT);

        h.send(bytes("front-end-key"), command("r-1", upperCase, EXAMPLE_UID), t0);

        assertError(h.answer(), "front-end-key", expectedError("r-1", upperCase, ErrorCode.INVALID_PARAMETER_OBJECT_ID));
    }

    @Test
    void malformedIdOfAnUnkeyedCommandAnswersWithoutKey() {
        h.send(null, command("r-1", "nope", EXAMPLE_UID), t0);

        assertError(h.answer(), null, expectedError("r-1", "nope", ErrorCode.INVALID_PARAMETER_OBJECT_ID));
    }

    // --- the rate limit ---

    @Test
    void sixthResetWithinTheWindowAnswersTooManyRequestsAndOneWindowLaterItIsAccepted() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(i));
            assertSnapshot(h.answer(), expectedSnapshot("r-" + i));
        }

        h.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, t0.plusMillis(59_999));
        assertError(h.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));

        h.reset("r-6", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(60)); // the reset at t0 has left the window
        assertSnapshot(h.answer(), expectedSnapshot("r-6"));
    }

    @Test
    void refusedResetsDoNotCountTowardsTheLimit() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 10; i++) {
            h.reset("denied-" + i, EXAMPLE_ID, "intruder", t0);
        }
        assertThat(h.errors(10)).extracting(answer -> answer.json().get("Code").asText())
                .containsOnly("InvalidUid.PermissionDenied");

        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
    }

    @Test
    void theLimitHoldsAcrossUpdatesOfTheJob() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0);
        }
        h.snapshots(5);
        h.putJob(EXAMPLE_ID, exampleJobWith("renamed", 2, 2), t0.plusMillis(500));

        h.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(1));

        assertError(h.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));
    }

    // --- replays ---

    @Test
    void replayReturnsTheFirstSnapshotWithItsHeaderEvenAfterTheJobChangedAndLeavesTheStoreAlone() {
        h.putJob(EXAMPLE_JOB);
        h.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, t0);
        Answer first = h.answer();
        Job progressed = exampleJobWith("renamed", 2, 2);
        h.putJob(progressed, 1, t0.plusSeconds(10));

        h.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(20));

        assertThat(h.answer()).isEqualTo(first);
        assertThat(first.generation()).isEqualTo("1");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(new StoredJob(progressed, new long[] {t0.toEpochMilli()}, 1));
    }

    @Test
    void replayAfterProgressMovedTheJobRepeatsTheFirstSnapshotAndChangesNoGeneration() {
        h.putJob(EXAMPLE_JOB);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        Answer first = h.answer();
        h.report(EXAMPLE_ID, 1, 2, 2, t0.plusSeconds(1));
        h.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(2));
        Answer second = h.answer();

        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(3));
        h.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(4));

        assertThat(h.snapshots(2)).containsExactly(first, second);
        assertThat(List.of(first.generation(), second.generation())).containsExactly("1", "2");
        assertThat(h.storedJob(EXAMPLE_ID).generation()).isEqualTo(2);
    }

    @Test
    void replaysReturnEachResetsOwnSnapshotAcrossUpdatesAndTheDeletionOfTheJob() {
        h.putJob(EXAMPLE_JOB);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(1));
        h.putJob(EXAMPLE_JOB, 2, t0.plusSeconds(2)); // the same job again, of the current generation: progress at 1
        h.reset("r-3", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(3));
        h.putJob(exampleJobWith("renamed", 2, 2), 3, t0.plusSeconds(4));
        h.reset("r-4", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(5));
        List<Answer> firsts = h.snapshots(4);
        h.deleteJob(EXAMPLE_ID, t0.plusSeconds(6));

        for (int i = 1; i <= 4; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(10 + i));
        }

        assertThat(h.snapshots(4)).isEqualTo(firsts);
        assertThat(firsts).extracting(Answer::generation).containsExactly("1", "2", "3", "4");
        assertSnapshot(firsts.get(0), expectedSnapshot("r-1"));
        assertThat(firsts.get(3).document()).contains("\"Name\":\"renamed\"");
        h.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(20));
        assertError(h.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    @Test
    void replayOfAnErrorReturnsTheSameErrorEvenOnceTheJobExists() {
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        Answer first = h.answer();
        h.putJob(EXAMPLE_ID, EXAMPLE_JOB, t0.plusSeconds(1));

        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(2));

        assertThat(h.answer()).isEqualTo(first);
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void replayIsAnsweredEvenWhenTheRateLimitWouldRefuseANewReset() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0);
        }
        List<Answer> firsts = h.snapshots(5);

        h.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(1));

        assertThat(h.answer()).isEqualTo(firsts.get(0));
    }

    @Test
    void sameRequestIdFromAnotherAccountIsNotAReplayAndGetsNothingOfTheFirstAnswer() {
        h.putJob(EXAMPLE_JOB);
        h.reset("shared", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();

        h.reset("shared", EXAMPLE_ID, "intruder", t0.plusSeconds(1));
        assertError(h.answer(), EXAMPLE_ID, expectedError("shared", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));

        // and the owner's replay still gets the owner's first answer
        h.reset("shared", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(2));
        assertSnapshot(h.answer(), expectedSnapshot("shared"));
        assertThat(h.storedJob(EXAMPLE_ID).recentResets()).containsExactly(t0.toEpochMilli());
    }

    @Test
    void sameRequestIdForAnotherJobIsNotAReplay() {
        h.putJob(EXAMPLE_JOB);
        h.reset("shared", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();

        h.reset("shared", OTHER_ID, EXAMPLE_UID, t0.plusSeconds(1));

        assertError(h.answer(), OTHER_ID, expectedError("shared", OTHER_ID, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    // --- generations: a reset sticks ---

    @Test
    void aJobRepublishedWithTheCountersItLastKnewCannotUndoAReset() {
        Job atSixty = exampleJobWith("example", 60, 60);
        h.putJob(atSixty);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        h.states(2);

        // The control plane mirrors its database: the job again, with the counters it last knew.
        h.awaitProcessed(h.putJob(EXAMPLE_ID, atSixty, t0.plusSeconds(1)));

        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(new StoredJob(atSixty.restarted(), new long[] {t0.toEpochMilli()}, 1));
        assertThat(h.noMoreStates()).as("a record that changes nothing publishes nothing").isTrue();
        // Its other fields still apply; its counters, of generation 0, still do not.
        h.putJob(EXAMPLE_ID, exampleJobWith("renamed", 60, 60), t0.plusSeconds(2));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("renamed", 0, 0), 1));
    }

    @Test
    void aProgressReportComputedBeforeAResetIsFencedAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.report(EXAMPLE_ID, 0, 40, 30, t0.minusMillis(500));
        assertThat(h.states(2)).extracting(State::json)
                .containsExactly(expectedState(EXAMPLE_JOB, 0), expectedState(exampleJobWith("example", 40, 30), 0));
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 0, 0), 1));

        // The worker has not seen the reset yet: it reports what it did in generation 0.
        h.report(EXAMPLE_ID, 0, 60, 60, t0.plusSeconds(1));
        h.report(EXAMPLE_ID, 1, 3, 2, t0.plusSeconds(2));

        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 3, 2), 1));
        assertThat(h.storedJob(EXAMPLE_ID))
                .isEqualTo(new StoredJob(exampleJobWith("example", 3, 2), new long[] {t0.toEpochMilli()}, 1));
    }

    @Test
    void progressOfTheCurrentGenerationRaisesEachCounterAndNeverLowersIt() {
        h.putJob(exampleJobWith("example", 0, 0));
        h.states(1);

        h.report(EXAMPLE_ID, 0, 10, 4, t0);
        h.report(EXAMPLE_ID, 0, 7, 9, t0.plusSeconds(1)); // reordered: UrlSubmitted lower, TaskSubmitted higher
        h.report(EXAMPLE_ID, 0, 7, 9, t0.plusSeconds(2)); // duplicated: nothing goes up
        h.report(EXAMPLE_ID, 0, 12, 9, t0.plusSeconds(3));

        assertThat(h.states(3)).extracting(State::json).containsExactly(expectedState(exampleJobWith("example", 10, 4), 0),
                expectedState(exampleJobWith("example", 10, 9), 0), expectedState(exampleJobWith("example", 12, 9), 0));
        assertThat(h.noMoreStates()).isTrue();
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(new StoredJob(exampleJobWith("example", 12, 9), new long[0], 0));
    }

    @Test
    void aProgressReportForNoSuchJobIsFencedAndStoresNothing() {
        h.awaitProcessed(h.report(OTHER_ID, 0, 5, 5, t0));

        assertThat(h.storedJob(OTHER_ID)).isNull();
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aProgressReportOfAGenerationAheadOfTheJobsIsADeadLetterAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        byte[] value = ProcessorHarness.progress(EXAMPLE_ID, 1, 9, 9);

        Position position = h.reportRaw(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader("7"), t0);

        DeadLetter dead = h.deadLetters(1).get(0);
        assertDeadLetter(dead, bytes(EXAMPLE_ID), value, InvalidProgressException.class.getName(),
                "The progress report's Generation is 1, ahead of the job's generation 0: no writer can know a generation"
                        + " that does not exist yet.", position);
        assertThat(dead.header("preload.generation")).as("the report's own headers").isEqualTo("7");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aProgressReportThatBreaksTheContractIsADeadLetterSayingWhy() {
        h.putJob(EXAMPLE_JOB);
        String id = "\"Id\":\"" + EXAMPLE_ID + "\"";
        Map<String, String> problems = new LinkedHashMap<>();
        problems.put("[1,2]", "The progress report must be a JSON object, not an array.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":1}", "Field \"TaskSubmitted\" is missing.");
        problems.put("{" + id + ",\"Generation\":-1,\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Generation\" must be an integer from 0 to 9223372036854775807, not -1.");
        problems.put("{" + id + ",\"Generation\":\"1\",\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Generation\" must be an integer from 0 to 9223372036854775807, not a string.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":2147483648,\"TaskSubmitted\":1}",
                "Field \"UrlSubmitted\" must be an integer from 0 to 2147483647 (int32), not 2147483648.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":1.5,\"TaskSubmitted\":1}",
                "Field \"UrlSubmitted\" must be an integer from 0 to 2147483647 (int32), not 1.5.");
        problems.put("{\"Id\":\"665D3AF3621BCCF3FE29E1A4\",\"Generation\":0,\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Id\" must be 24 lower-case hexadecimal digits.");
        problems.put("{" + id + ",", "The progress report is not valid JSON: Unexpected end-of-input within/between Object"
                + " entries (at byte 33).");
        List<Position> positions = new ArrayList<>();
        for (String value : problems.keySet()) {
            positions.add(h.reportRaw(bytes("worker-7"), bytes(value), new RecordHeaders(), t0));
        }

        List<DeadLetter> dead = h.deadLetters(problems.size());
        int i = 0;
        for (Map.Entry<String, String> problem : problems.entrySet()) {
            assertDeadLetter(dead.get(i), bytes("worker-7"), bytes(problem.getKey()),
                    InvalidProgressException.class.getName(), problem.getValue(), positions.get(i));
            i++;
        }
        h.report(EXAMPLE_ID, 0, 5, 5, t0.plusSeconds(1));
        assertThat(h.states(2).get(1).json()).isEqualTo(expectedState(exampleJobWith("example", 5, 5), 0));
    }

    @Test
    void aProgressReportKeyedBySomethingElseOrUnkeyedIsApplied() {
        h.putJob(EXAMPLE_JOB);

        // Re-routed from two partitions, the two may reach the job's in either order: each raises its own counter.
        h.reportRaw(null, ProcessorHarness.progress(EXAMPLE_ID, 0, 3, 0), new RecordHeaders(), t0);
        h.reportRaw(bytes("worker-7"), ProcessorHarness.progress(EXAMPLE_ID, 0, 0, 2), new RecordHeaders(), t0.plusSeconds(1));

        List<State> states = h.states(3);
        assertThat(states).extracting(State::key).containsOnly(EXAMPLE_ID);
        assertThat(states.get(2).json()).isEqualTo(expectedState(exampleJobWith("example", 3, 2), 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(exampleJobWith("example", 3, 2)));
    }

    /**
     * A report off its job's partition travels there through the repartition topic with the record it
     * came in, for the dead letter it may become; that topic takes what the broker takes by default,
     * less than the record plus the report. Until this was fixed, such a record stopped the processor
     * (RecordTooLargeException on the repartition topic), on every restart.
     */
    @Test
    void aProgressReportAsLargeAsTheTopicTakesOffItsPartitionIsDeadLetteredCutToFitAndTheProcessorGoesOn() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        String report = new String(ProcessorHarness.progress(EXAMPLE_ID, 1, 9, 9), StandardCharsets.UTF_8);
        // As large as a producer with the default max.request.size sends: 1 MiB in all.
        byte[] large = bytes(report.replace("}", ",\"Padding\":\"" + "p".repeat(1_048_470 - report.length() - 13) + "\"}"));
        byte[] small = ProcessorHarness.progress(EXAMPLE_ID, 2, 9, 9);
        org.apache.kafka.common.header.Headers largeHeader = new RecordHeaders().add("trace", new byte[1_048_380]);

        Position first = h.reportRaw(bytes("worker-7"), large, new RecordHeaders(), t0);
        Position second = h.reportRaw(bytes("worker-7"), small, largeHeader, t0.plusSeconds(1));

        List<DeadLetter> dead = h.deadLetters(2);
        assertDeadLetter(dead.get(0), bytes("worker-7"), java.util.Arrays.copyOf(large, dead.get(0).value().length),
                InvalidProgressException.class.getName(), "The progress report's Generation is 1, ahead of the job's"
                        + " generation 0: no writer can know a generation that does not exist yet.", first);
        assertThat(dead.get(0).value().length).isLessThan(large.length);
        assertThat(dead.get(0).header("preload.dlq.cut"))
                .isEqualTo("value cut from " + large.length + " to " + dead.get(0).value().length + " bytes, to re-route it.");
        assertDeadLetter(dead.get(1), bytes("worker-7"), small, InvalidProgressException.class.getName(),
                "The progress report's Generation is 2, ahead of the job's generation 0: no writer can know a generation"
                        + " that does not exist yet.", second);
        assertThat(dead.get(1).header("trace")).as("dropped").isNull();
        assertThat(dead.get(1).header("preload.dlq.cut")).isEqualTo("1 header(s) of 1048395 bytes dropped, to re-route it.");
        h.report(EXAMPLE_ID, 0, 5, 5, t0.plusSeconds(2));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 5, 5), 0));
    }

    @Test
    void aJobRecordOfTheCurrentGenerationMergesItsCountersAsProgressDoes() {
        h.putJob(exampleJobWith("example", 20, 20));
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();
        h.states(2);

        h.putJob(exampleJobWith("example", 5, 0), 1, t0.plusSeconds(1));
        h.putJob(exampleJobWith("renamed", 3, 8), 1, t0.plusSeconds(2));

        assertThat(h.states(2)).extracting(State::json).containsExactly(expectedState(exampleJobWith("example", 5, 0), 1),
                expectedState(exampleJobWith("renamed", 5, 8), 1));
    }

    @Test
    void aJobRecordWhoseHeaderIsAheadOfTheJobIsADeadLetterAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        Job renamed = exampleJobWith("renamed", 9, 9);

        Position position = h.putJob(renamed, 2, t0);

        DeadLetter dead = h.deadLetters(1).get(0);
        assertDeadLetter(dead, bytes(EXAMPLE_ID), Json.write(renamed), InvalidJobException.class.getName(),
                "The job record's header preload.generation is 2, ahead of the job's generation 0: no writer can know a"
                        + " generation that does not exist yet.", position);
        assertThat(dead.header("preload.generation")).isEqualTo("2");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aJobRecordOrTombstoneWhoseGenerationHeaderIsNotDecimalDigitsIsADeadLetterWhetherOrNotTheJobIsStored() {
        byte[] value = Json.write(EXAMPLE_JOB);
        List<Position> positions = new ArrayList<>();
        List<String> headers = List.of("one", "", "-1", "99999999999999999999", "1 ");
        for (String header : headers) {
            positions.add(h.putRawJob(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader(header), t0.minusSeconds(2)));
        }
        h.putJob(EXAMPLE_JOB);
        positions.add(h.putRawJob(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader("x"), t0));
        Position tombstone = h.putRawJob(bytes(EXAMPLE_ID), null, ProcessorHarness.generationHeader("x"), t0);
        Position twoGenerations = h.putRawJob(bytes(EXAMPLE_ID), value,
                ProcessorHarness.generationHeader("0").add("preload.generation", bytes("3")), t0);

        List<DeadLetter> dead = h.deadLetters(positions.size() + 2);
        for (int i = 0; i < positions.size(); i++) {
            assertDeadLetter(dead.get(i), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                    "The job record's header preload.generation must be the generation its counters were computed in, in"
                            + " ASCII decimal digits (at most 9223372036854775807).", positions.get(i));
        }
        assertDeadLetter(dead.get(positions.size()), bytes(EXAMPLE_ID), null, InvalidJobException.class.getName(),
                "The job record's header preload.generation must be the generation its counters were computed in, in"
                        + " ASCII decimal digits (at most 9223372036854775807).", tombstone);
        assertDeadLetter(dead.get(positions.size() + 1), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "The job record's headers preload.generation name two generations, 0 and 3; it must name one.", twoGenerations);
        assertThat(h.storedJob(EXAMPLE_ID)).as("not deleted by the tombstone").isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void aJobNotStoredIsStoredAsItIsAtGenerationZeroWhateverItsHeader() {
        h.putJob(EXAMPLE_JOB, 5, t0.minusSeconds(1));

        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(EXAMPLE_JOB, 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void deletingAJobPublishesATombstoneAndAJobStoredAgainUnderItsIdStartsAtGenerationZero() {
        h.putJob(EXAMPLE_JOB);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();
        h.deleteJob(EXAMPLE_ID, t0.plusSeconds(1));
        h.deleteJob(EXAMPLE_ID, t0.plusSeconds(2)); // nothing left to delete: nothing published

        h.putJob(EXAMPLE_ID, EXAMPLE_JOB, t0.plusSeconds(3));

        List<State> states = h.states(4);
        assertThat(states).extracting(State::key).containsOnly(EXAMPLE_ID);
        assertThat(states).extracting(State::json).containsExactly(expectedState(EXAMPLE_JOB, 0),
                expectedState(EXAMPLE_JOB.restarted(), 1), null, expectedState(EXAMPLE_JOB, 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void eachAcceptedResetRaisesTheGenerationOnceAndARefusedOneNever() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 6; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(i));
        }
        h.reset("denied", EXAMPLE_ID, "intruder", t0.plusSeconds(7));

        assertThat(h.snapshots(5)).extracting(Answer::generation).containsExactly("1", "2", "3", "4", "5");
        assertThat(h.errors(2)).extracting(Answer::generation).containsOnlyNulls();
        assertThat(h.states(6)).extracting(State::generation).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(h.storedJob(EXAMPLE_ID).generation()).isEqualTo(5);
    }

    // --- record time ---

    @Test
    void aCommandStampedAheadOfTheClockLeavesTheReplayMemoryAndTheRateLimitWorking() {
        Instant now = Instant.now();
        h.putJob(EXAMPLE_ID, EXAMPLE_JOB, now.minusSeconds(30));
        h.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, now.minusSeconds(20));
        Answer first = h.answer();
        Instant ahead = now.plus(Duration.ofMinutes(50)); // within what a Kafka 4 broker takes by default (1 h ahead)
        for (int i = 1; i <= 4; i++) {
            h.reset("ahead-" + i, EXAMPLE_ID, EXAMPLE_UID, ahead);
        }
        h.snapshots(4);

        h.reset("r-0", EXAMPLE_ID, EXAMPLE_UID, Instant.now());
        assertThat(h.answer()).isEqualTo(first);
        // The resets stamped ahead count as of when they were read: five in the last minute.
        h.reset("r-5", EXAMPLE_ID, EXAMPLE_UID, Instant.now());
        assertError(h.answer(), EXAMPLE_ID, expectedError("r-5", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));
    }

    @Test
    void frontEndsWhoseClocksDifferShareOneLimit() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 5; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(120 + i));
        }
        h.snapshots(5);

        // a front end whose clock is two minutes behind
        h.reset("behind", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(5));
        assertError(h.answer(), EXAMPLE_ID, expectedError("behind", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));

        // one window after the first of the five, a command from either counts from the last of them
        h.reset("later", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(180));
        assertSnapshot(h.answer(), expectedSnapshot("later"));
        h.reset("behind-again", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(60));
        assertError(h.answer(), EXAMPLE_ID, expectedError("behind-again", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));
    }

    // --- routing and order ---

    @Test
    void unkeyedCommandIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        h.putJob(EXAMPLE_JOB);

        h.send(null, command("r-1", EXAMPLE_ID, EXAMPLE_UID), t0);

        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
    }

    @Test
    void commandKeyedBySomethingElseIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        h.putJob(EXAMPLE_JOB);

        h.send(new byte[] {(byte) 0xFF, 0, 1}, command("r-1", EXAMPLE_ID, EXAMPLE_UID), t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        h.send(bytes(EXAMPLE_ID.toUpperCase(Locale.ROOT)), command("r-2", EXAMPLE_ID, EXAMPLE_UID), t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-2"));
    }

    @Test
    void outcomesOfOneJobFollowTheOrderOfItsCommands() {
        h.putJob(EXAMPLE_JOB);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String requestId = "r-" + i;
            sent.add(requestId);
            h.reset(requestId, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(15L * i));
        }

        assertThat(h.snapshots(20)).extracting(answer -> answer.json().get("RequestId").asText())
                .containsExactlyElementsOf(sent);
    }

    @Test
    void commandWithoutRequestIdGetsOneDerivedFromItsPositionOnTheCommandsTopic() {
        h.putJob(EXAMPLE_JOB);

        Position position = h.send(null, "{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"" + EXAMPLE_UID + "\"}", t0);

        assertSnapshot(h.answer(), expectedSnapshot(assignedRequestId(position)));
    }

    /** The RequestId the contract assigns to a command without one: derived from where it sits on the commands topic. */
    protected static String assignedRequestId(Position position) {
        String where = position.topic() + "/" + position.partition() + "/" + position.offset();
        return UUID.nameUUIDFromBytes(where.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
    }

    // --- bad input ---

    @Test
    void unparseableCommandAnswers400AndGoesToTheDeadLetterQueueAndProcessingGoesOn() {
        h.putJob(EXAMPLE_JOB);
        byte[] key = {1, 2, 3};
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":");

        Position position = h.send(key, value, t0);

        String problem = "The command is not valid JSON: Unexpected end-of-input within/between Object entries (at byte 24).";
        Answer answer = h.answer();
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(new String(key, StandardCharsets.UTF_8));
        assertThat(answer.json()).isEqualTo(json("""
                {"RequestId":"r-1","Id":null,"HttpStatusCode":400,"Code":"InvalidParameter","Message":"%s",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """.formatted(problem)));
        assertDeadLetter(h.deadLetters(1).get(0), key, value, "cdn.preload.domain.UnparseableCommandException", problem,
                position);

        h.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-2"));
    }

    @Test
    void commandWithAFieldOfTheWrongTypeEchoesItsRequestIdAndId() {
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":42}");

        Position position = h.send(bytes(EXAMPLE_ID), value, t0);

        assertError(h.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":400,"Code":"InvalidParameter",
                 "Message":"Field \\"AliUid\\" must be a string, not a number.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """));
        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, "cdn.preload.domain.UnparseableCommandException",
                "Field \"AliUid\" must be a string, not a number.", position);
    }

    @Test
    void unparseableCommandWhoseIdIsValidIsAnsweredKeyedByThatId() {
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":42}");

        h.send(bytes("some-other-key"), value, t0);

        assertError(h.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":400,"Code":"InvalidParameter",
                 "Message":"Field \\"AliUid\\" must be a string, not a number.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """));
        assertThat(h.deadLetters(1).get(0).key()).isEqualTo(bytes("some-other-key"));
    }

    @Test
    void commandWithoutValueAnswers400WithAnAssignedRequestIdAndGoesToTheDeadLetterQueue() {
        Position position = h.send(bytes("k"), (byte[]) null, t0);

        assertError(h.answer(), "k", ProcessorHarness.json("""
                {"RequestId":"%s","Id":null,"HttpStatusCode":400,"Code":"InvalidParameter","Message":"The command has no value.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """.formatted(assignedRequestId(position))));
        assertDeadLetter(h.deadLetters(1).get(0), bytes("k"), null, "cdn.preload.domain.UnparseableCommandException",
                "The command has no value.", position);
    }

    @Test
    void unparseableJobGoesToTheDeadLetterQueueAndIsNotStored() {
        byte[] value = bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"UrlCount\":\"many\"}");

        Position position = h.putRawJob(bytes(EXAMPLE_ID), value, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "Not a valid Job: Cannot coerce String value (\"many\") to `java.lang.Integer` value"
                        + " (but might if coercion using `CoercionConfig` was enabled)", position);
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWhoseIdDiffersFromItsKeyGoesToTheDeadLetterQueue() {
        Position position = h.putJob(OTHER_ID, EXAMPLE_JOB, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(OTHER_ID), Json.write(EXAMPLE_JOB), InvalidJobException.class.getName(),
                "The job's Id 665d3af3621bccf3fe29e1a4 does not match the record key.", position);
        assertThat(h.storedJob(OTHER_ID)).isNull();
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWithAMalformedIdGoesToTheDeadLetterQueue() {
        Job malformed = new Job("NOT-AN-ID", null, null, EXAMPLE_UID, null, null, null, null, null, null, null, null, null, null);

        Position position = h.putJob("NOT-AN-ID", malformed, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes("NOT-AN-ID"), Json.write(malformed),
                InvalidJobException.class.getName(), "The job's Id must be 24 lower-case hexadecimal digits.", position);
        assertThat(h.storedJob("NOT-AN-ID")).isNull();
    }

    @Test
    void jobLargerThan256KiBGoesToTheDeadLetterQueueAndIsNotStored() {
        Job huge = new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, "d".repeat(TopicLayout.MAX_JOB_BYTES), null, null,
                null, null, null, null, null, null, null);
        byte[] value = Json.write(huge);

        Position position = h.putRawJob(bytes(EXAMPLE_ID), value, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "The job is " + value.length + " bytes long; at most 262144 are accepted.", position);
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWithUnknownFieldsIsStoredWithoutThem() {
        h.putRawJob(bytes(EXAMPLE_ID), bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"u\",\"Future\":{\"x\":1}}"),
                t0.minusSeconds(1));

        h.reset("r-1", EXAMPLE_ID, "u", t0);

        Answer answer = h.answer();
        assertThat(fieldNames(answer.json())).doesNotContain("Future").hasSize(15);
        assertThat(h.storedJob(EXAMPLE_ID).job())
                .isEqualTo(new Job(EXAMPLE_ID, null, null, "u", null, null, null, null, null, 0, 0, null, null, null));
    }
}
