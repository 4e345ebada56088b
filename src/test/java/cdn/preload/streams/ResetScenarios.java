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
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.State;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The contract's scenarios of the reset itself, one per behaviour, asserting whole documents: its
 * answers, the rate limit, replays, and commands stamped off the clock. They run against the
 * TopologyTestDriver ({@link ResetTopologyTest}, {@link ReroutedTopologyTest}) and against a real broker
 * ({@code ResetScenariosIT}).
 */
abstract class ResetScenarios extends ScenarioTest {

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
}
