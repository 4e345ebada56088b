package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResetDecisionTest {
    private static final String ID = "665d3af3621bccf3fe29e1a4";
    private static final String OWNER = "15685865xxx14622";
    private static final Job JOB = new Job(ID, "example", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
            "665d3b48621bccf3fe29e1a7", 2, 1, 1, "invalid domain:test.com", "https://oss/failed", "2024-06-02T02:23:26Z");
    private static final RateLimit LIMIT = new RateLimit(5, Duration.ofSeconds(60));
    private static final long T = 1_000_000L;

    private static Decision decide(StoredJob current, String aliUid, long time) {
        return ResetDecision.decide(current, new ResetCommand("r", ID, aliUid), time, LIMIT);
    }

    @Test
    void noJobIsNotFound() {
        assertThat(decide(null, OWNER, T)).isEqualTo(new Decision.Rejected(ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    @Test
    void anotherAccountOrNoAccountIsDenied() {
        assertThat(decide(StoredJob.of(JOB), "someone-else", T))
                .isEqualTo(new Decision.Rejected(ErrorCode.INVALID_UID_PERMISSION_DENIED));
        assertThat(decide(StoredJob.of(JOB), null, T))
                .isEqualTo(new Decision.Rejected(ErrorCode.INVALID_UID_PERMISSION_DENIED));
    }

    @Test
    void aJobWithoutOwnerCannotBeResetByAnyone() {
        Job unowned = new Job(ID, null, null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(decide(StoredJob.of(unowned), null, T))
                .isEqualTo(new Decision.Rejected(ErrorCode.INVALID_UID_PERMISSION_DENIED));
    }

    @Test
    void aQueryOfTheJobMeetsTheResetsFirstTwoChecksInTheirOrder() {
        assertThat(ResetDecision.refusal(null, OWNER)).isEqualTo(ErrorCode.INVALID_JOB_NOT_FOUND);
        assertThat(ResetDecision.refusal(null, null)).as("no job, no account").isEqualTo(ErrorCode.INVALID_JOB_NOT_FOUND);
        assertThat(ResetDecision.refusal(StoredJob.of(JOB), "someone-else")).isEqualTo(ErrorCode.INVALID_UID_PERMISSION_DENIED);
        assertThat(ResetDecision.refusal(StoredJob.of(JOB), null)).isEqualTo(ErrorCode.INVALID_UID_PERMISSION_DENIED);
        assertThat(ResetDecision.refusal(StoredJob.of(JOB), OWNER)).as("the owner").isNull();
    }

    @Test
    void ownershipIsCheckedBeforeTheRateLimit() {
        StoredJob busy = new StoredJob(JOB, new long[] {T - 4, T - 3, T - 2, T - 1, T});
        assertThat(decide(busy, "someone-else", T))
                .isEqualTo(new Decision.Rejected(ErrorCode.INVALID_UID_PERMISSION_DENIED));
    }

    @Test
    void acceptedResetZeroesTheProgressStartsTheNextGenerationKeepsEverythingElseAndRecordsTheTime() {
        Job expected = new Job(ID, "example", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
                "665d3b48621bccf3fe29e1a7", 2, 0, 0, "invalid domain:test.com", "https://oss/failed", "2024-06-02T02:23:26Z");

        assertThat(decide(new StoredJob(JOB, new long[] {T - 59_999}, 3), OWNER, T))
                .isEqualTo(new Decision.Accepted(new StoredJob(expected, new long[] {T - 59_999, T}, 4)));
        assertThat(decide(new StoredJob(JOB, new long[] {T - 60_000}, 3), OWNER, T))
                .as("a reset that has left the window is forgotten")
                .isEqualTo(new Decision.Accepted(new StoredJob(expected, new long[] {T}, 4)));
    }

    @Test
    void progressMissingFromTheJobBecomesZero() {
        Job noProgress = new Job(ID, null, null, OWNER, null, null, null, null, null, null, null, null, null, null);
        Decision decision = decide(StoredJob.of(noProgress), OWNER, T);

        assertThat(decision).isInstanceOfSatisfying(Decision.Accepted.class, accepted -> {
            assertThat(accepted.updated().job().urlSubmitted()).isZero();
            assertThat(accepted.updated().job().taskSubmitted()).isZero();
        });
    }

    @Test
    void fiveResetsWithinTheWindowRefuseTheSixth() {
        StoredJob five = new StoredJob(JOB, new long[] {T - 59_999, T - 3, T - 2, T - 1, T});
        assertThat(decide(five, OWNER, T)).isEqualTo(new Decision.Rejected(ErrorCode.TOO_MANY_REQUESTS));
    }

    @Test
    void aResetExactlyOneWindowOldNoLongerCounts() {
        StoredJob five = new StoredJob(JOB, new long[] {T - 60_000, T - 3, T - 2, T - 1, T});
        assertThat(decide(five, OWNER, T)).isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void aCommandStampedBeforeTheJobsLastAcceptedResetCountsAsOfThatReset() {
        StoredJob five = new StoredJob(JOB, new long[] {T - 4, T - 3, T - 2, T - 1, T});
        assertThat(decide(five, OWNER, T - 120_000)).as("two minutes behind, among the five")
                .isEqualTo(new Decision.Rejected(ErrorCode.TOO_MANY_REQUESTS));

        Decision accepted = decide(new StoredJob(JOB, new long[] {T}), OWNER, T - 120_000);
        assertThat(accepted).isInstanceOfSatisfying(Decision.Accepted.class,
                a -> assertThat(a.updated().recentResets()).containsExactly(T, T));
    }
}
