package example.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.Progress;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.Topics;
import cdn.preload.testkit.JobState;
import cdn.preload.testkit.ResetTestKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each answer of the contract through the test kit, written as a team that depends on the library
 * would write it: in a package of its own, with the kit's public surface and the contract's records
 * only.
 */
class ResetTestKitTest {
    private static final String ID = "665d3af3621bccf3fe29e1a4";
    private static final String OWNER = "15685865xxx14622";
    private static final Job JOB = new Job(ID, "example", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
            "665d3b48621bccf3fe29e1a7", 2, 1, 1, null, null, "2024-06-02T02:23:26Z");

    private ResetTestKit kit = ResetTestKit.create();

    @AfterEach
    void close() {
        kit.close();
    }

    /** The job stored, then reset by {@code requestId}: the snapshot that answered it. */
    private Snapshot storedThenReset(String requestId) {
        kit.putJob(JOB);
        kit.reset(requestId, ID, OWNER);
        return kit.nextSnapshot();
    }

    @Test
    void anAcceptedResetAnswersTheJobRestartedUnderTheCommandsRequestId() {
        kit.putJob(JOB);

        kit.reset("r-1", ID, OWNER);

        assertThat(kit.nextSnapshot()).isEqualTo(new Snapshot("r-1", JOB.restarted()));
        kit.expectNoMoreAnswers();
    }

    @Test
    void aCommandSentAgainGetsTheSameAnswer() {
        Snapshot first = storedThenReset("r-1");
        kit.putJob(new Job(ID, "renamed", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
                "665d3b48621bccf3fe29e1a7", 2, 2, 2, null, null, "2024-06-02T02:23:26Z"));

        kit.advanceTime(Duration.ofMinutes(5));
        kit.reset("r-1", ID, OWNER);

        assertThat(kit.nextSnapshot()).isEqualTo(first);
    }

    @Test
    void aJobThatDoesNotExistIsNotFound() {
        kit.reset("r-1", ID, OWNER);

        assertThat(kit.nextError()).isEqualTo(new ErrorEvent("r-1", ID, 404, "InvalidJob.NotFound",
                "The task does not exist. Check whether the task ID is correct or whether the task has been deleted.",
                "The task does not exist. Check whether the task ID is correct or whether the task has been deleted."));
    }

    @Test
    void aDeletedJobIsNotFound() {
        kit.putJob(JOB);
        kit.deleteJob(ID);

        kit.reset("r-1", ID, OWNER);

        assertThat(kit.nextError().code()).isEqualTo("InvalidJob.NotFound");
    }

    @Test
    void anotherAccountIsDenied() {
        kit.putJob(JOB);

        kit.reset("r-1", ID, "someone-else");

        ErrorEvent error = kit.nextError();
        assertThat(error.httpStatusCode()).isEqualTo(403);
        assertThat(error.code()).isEqualTo("InvalidUid.PermissionDenied");
        assertThat(error.requestId()).isEqualTo("r-1");
        assertThat(error.id()).isEqualTo(ID);
    }

    @Test
    void aMalformedIdIsRefusedBeforeAnyLookup() {
        kit.reset("r-1", "not-an-id", OWNER);

        assertThat(kit.nextError()).isEqualTo(new ErrorEvent("r-1", "not-an-id", 400, "InvalidParameter.ObjectId",
                "Invalid task ID or execution plan ID.", "Invalid task ID or execution plan ID."));
    }

    @Test
    void aCommandThatIsNotJsonIsAnInvalidParameter() {
        kit.sendCommand(ID, "{\"RequestId\":\"r-1\",\"Id\":", kit.now());

        // The message says what was wrong, in the parser's words.
        assertThat(kit.nextError()).usingRecursiveComparison().ignoringFields("message").isEqualTo(new ErrorEvent("r-1",
                null, 400, "InvalidParameter", null, "The command could not be parsed. It must be a JSON object whose"
                        + " RequestId, Id and AliUid are strings."));
    }

    @Test
    void theSixthResetWithinAMinuteIsTooManyAndTheWindowMovesWithTime() {
        kit.putJob(JOB);
        for (int i = 1; i <= 5; i++) {
            kit.reset("r-" + i, ID, OWNER);
            assertThat(kit.nextSnapshot().requestId()).isEqualTo("r-" + i);
        }

        kit.reset("r-6", ID, OWNER);
        assertThat(kit.nextError().code()).isEqualTo("TooManyRequests");

        kit.advanceTime(Duration.ofSeconds(61));
        kit.reset("r-7", ID, OWNER);
        assertThat(kit.nextSnapshot().requestId()).isEqualTo("r-7");
    }

    @Test
    void theSettingsCanBeThoseOfYourDeployment() {
        kit.close();
        kit = ResetTestKit.builder()
                .rateLimit(1, Duration.ofHours(1))
                .replayRetention(Duration.ofMinutes(10))
                .topics(new Topics("jobs", "resets", "progress", "snapshots", "state", "errors", "dead-letters"))
                .build();
        kit.putJob(JOB);

        kit.reset("r-1", ID, OWNER);
        assertThat(kit.nextSnapshot().requestId()).isEqualTo("r-1");
        kit.reset("r-2", ID, OWNER);
        assertThat(kit.nextError().code()).as("one reset an hour").isEqualTo("TooManyRequests");

        kit.advanceTime(Duration.ofMinutes(11));
        kit.reset("r-1", ID, OWNER);
        assertThat(kit.nextError().code()).as("no longer a replay after 10 minutes").isEqualTo("TooManyRequests");

        kit.progress(ID, 1, 2, 2);
        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(JOB.withCounters(2, 2), 1));
    }

    @Test
    void aCommandKeyedAndStampedAsYourProducerWouldIsAnsweredTheSame() {
        kit.putJob(JOB);

        kit.reset(new ResetCommand("r-1", ID, OWNER), null, kit.now().plusSeconds(1));

        assertThat(kit.nextSnapshot()).isEqualTo(new Snapshot("r-1", JOB.restarted()));
    }

    @Test
    void readingTheWrongKindOfAnswerFailsAndSaysWhatCame() {
        kit.reset("r-1", ID, OWNER);

        assertThatThrownBy(kit::nextSnapshot).isInstanceOf(AssertionError.class)
                .hasMessageContaining("error event").hasMessageContaining("InvalidJob.NotFound");
        assertThatThrownBy(kit::nextError).isInstanceOf(AssertionError.class).hasMessageContaining("no answer left");
    }

    @Test
    void aJobAloneGetsNoAnswer() {
        kit.putJob(JOB);

        kit.expectNoMoreAnswers();
    }

    @Test
    void aJobTheProcessorWouldRefuseIsRefusedAtOnceWithItsReason() {
        Job malformed = new Job("not-an-id", "example", null, OWNER, null, null, null, null, 1, 1, 1, null, null, null);

        assertThatThrownBy(() -> kit.putJob(malformed)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The job's Id must be 24 lower-case hexadecimal digits.");
        kit.expectNoMoreAnswers();
    }

    @Test
    void aResetsSnapshotNamesTheGenerationItStartedAndItsReplayTheSame() {
        Snapshot first = storedThenReset("r-1");
        assertThat(kit.lastSnapshotGeneration()).isEqualTo(1);
        kit.reset("r-2", ID, OWNER);
        kit.nextSnapshot();
        assertThat(kit.lastSnapshotGeneration()).isEqualTo(2);

        kit.reset("r-1", ID, OWNER);
        assertThat(kit.nextSnapshot()).isEqualTo(first);
        assertThat(kit.lastSnapshotGeneration()).as("the replay's, the first answer's").isEqualTo(1);
    }

    @Test
    void everyChangeOfAJobPublishesItsStateWithItsGeneration() {
        storedThenReset("r-1");

        kit.progress(ID, kit.lastSnapshotGeneration(), 5, 3);

        assertThat(kit.nextState()).isEqualTo(JobState.of(JOB, 0));
        assertThat(kit.nextState()).isEqualTo(JobState.of(JOB.restarted(), 1));
        assertThat(kit.nextState()).isEqualTo(JobState.of(JOB.withCounters(5, 3), 1));
        kit.expectNoMoreStates();
        assertThat(kit.lastState(ID)).isEqualTo(new JobState(ID, 1L, JOB.withCounters(5, 3)));
    }

    @Test
    void countersNeverGoDownWithinAGeneration() {
        kit.putJob(JOB);

        kit.progress(ID, 0, 5, 3);
        kit.progress(ID, 0, 4, 4);

        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(JOB.withCounters(5, 4), 0));
    }

    @Test
    void progressComputedBeforeTheResetIsFencedAndPublishesNothing() {
        kit.putJob(JOB);
        kit.reset("r-1", ID, OWNER);
        kit.nextState();
        kit.nextState();

        kit.progress(ID, 0, 60, 60);

        kit.expectNoMoreStates();
        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(JOB.restarted(), 1));
    }

    @Test
    void progressOfAJobThatIsNotStoredIsFencedAndPublishesNothing() {
        kit.progress(ID, 0, 5, 3);

        kit.expectNoMoreStates();
        assertThatThrownBy(() -> kit.lastState(ID)).isInstanceOf(AssertionError.class)
                .hasMessage("No state of job " + ID + " has been published");
    }

    @Test
    void aJobRepublishedWithoutItsGenerationCannotUndoTheResetAndWithItMovesTheCounters() {
        Job republished = new Job(ID, "renamed", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
                "665d3b48621bccf3fe29e1a7", 2, 60, 60, null, null, "2024-06-02T02:23:26Z");
        kit.putJob(JOB);
        kit.reset("r-1", ID, OWNER);

        kit.putJob(republished);
        assertThat(kit.lastState(ID)).as("renamed, its counters still the reset's")
                .isEqualTo(JobState.of(republished.withCounters(0, 0), 1));

        kit.putJob(republished, 1);
        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(republished, 1));
    }

    @Test
    void aDeletedJobsLastStateIsItsTombstone() {
        kit.putJob(JOB);

        kit.deleteJob(ID);

        assertThat(kit.nextState()).isEqualTo(JobState.of(JOB, 0));
        assertThat(kit.nextState()).isEqualTo(JobState.deleted(ID));
        assertThat(kit.lastState(ID)).isEqualTo(new JobState(ID, null, null));
        assertThat(kit.lastState(ID).isDeleted()).isTrue();
    }

    @Test
    void aProgressReportKeyedAndStampedAsYourWorkerWouldIsAppliedTheSame() {
        kit.putJob(JOB);

        kit.progress(new Progress(ID, 0, 5, 3), null, kit.now().plusSeconds(1));

        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(JOB.withCounters(5, 3), 0));
    }

    @Test
    void aProgressReportTheProcessorWouldRefuseIsRefusedAtOnceWithItsReason() {
        kit.putJob(JOB);
        kit.nextState();

        assertThatThrownBy(() -> kit.progress(ID, 1, 5, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The processor refuses this progress report: The progress report's Generation is 1, ahead of"
                        + " the job's generation 0: no writer can know a generation that does not exist yet.");
        assertThatThrownBy(() -> kit.progress(ID, 0, -1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The processor refuses this progress report: Field \"UrlSubmitted\" must be an integer from 0"
                        + " to 2147483647 (int32), not -1.");
        assertThatThrownBy(() -> kit.sendProgress(ID, "{\"Id\":\"" + ID + "\",\"Generation\":\"0\",\"UrlSubmitted\":5,"
                + "\"TaskSubmitted\":3}", kit.now())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The processor refuses this progress report: Field \"Generation\" must be an integer from 0"
                        + " to 9223372036854775807, not a string.");
        kit.expectNoMoreStates();
    }

    @Test
    void aJobWithAGenerationAheadOfItsOwnIsRefusedAtOnceWithItsReason() {
        kit.putJob(JOB);

        assertThatThrownBy(() -> kit.putJob(JOB, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The processor refuses this job: The job record's header preload.generation is 1, ahead of the"
                        + " job's generation 0: no writer can know a generation that does not exist yet.");
        assertThat(kit.lastState(ID)).isEqualTo(JobState.of(JOB, 0));
    }

    @Test
    void theGenerationOfASnapshotIsOnlyThereOnceOneIsTaken() {
        assertThatThrownBy(kit::lastSnapshotGeneration).isInstanceOf(AssertionError.class)
                .hasMessage("No snapshot has been taken (nextSnapshot) yet");
        assertThatThrownBy(kit::nextState).isInstanceOf(AssertionError.class)
                .hasMessage("Expected a job state, but there is none left");
    }

    @Test
    void timeCannotRunAheadOfTheMachinesClockWhichTheProcessorWouldStopAt() {
        assertThatThrownBy(() -> kit.advanceTime(Duration.between(kit.now(), java.time.Instant.now()).plusDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ahead of the machine's clock");
    }
}
