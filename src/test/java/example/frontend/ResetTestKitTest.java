package example.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.Topics;
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

    @Test
    void anAcceptedResetAnswersTheJobRestartedUnderTheCommandsRequestId() {
        kit.putJob(JOB);

        kit.reset("r-1", ID, OWNER);

        assertThat(kit.nextSnapshot()).isEqualTo(new Snapshot("r-1", JOB.restarted()));
        kit.expectNoMoreAnswers();
    }

    @Test
    void aCommandSentAgainGetsTheSameAnswer() {
        kit.putJob(JOB);
        kit.reset("r-1", ID, OWNER);
        Snapshot first = kit.nextSnapshot();
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
    void timeCannotRunAheadOfTheMachinesClockWhichTheProcessorWouldStopAt() {
        assertThatThrownBy(() -> kit.advanceTime(Duration.between(kit.now(), java.time.Instant.now()).plusDays(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ahead of the machine's clock");
    }
}
