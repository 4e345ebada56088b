package cdn.preload.domain;

/**
 * The reset itself, as a pure function: given the stored job (or none), a command and the record
 * time, the decision. It covers the checks that follow the replay lookup (existence, ownership,
 * rate limit) in the order the contract gives; the command's Id is already known to be well formed.
 *
 * <p>The command counts as of its record time, but never earlier than the job's last accepted reset
 * (the contract's Trust rule): a command stamped by a clock that is behind counts with the resets
 * around it, so that front ends whose clocks differ share one limit. The floor depends only on the
 * job, so reprocessing decides the same, and commands stamped in ascending order keep their stamps.
 */
public final class ResetDecision {
    private static final Decision NOT_FOUND = new Decision.Rejected(ErrorCode.INVALID_JOB_NOT_FOUND);
    private static final Decision PERMISSION_DENIED = new Decision.Rejected(ErrorCode.INVALID_UID_PERMISSION_DENIED);
    private static final Decision TOO_MANY_REQUESTS = new Decision.Rejected(ErrorCode.TOO_MANY_REQUESTS);

    private ResetDecision() {
    }

    public static Decision decide(StoredJob current, ResetCommand command, long timestamp, RateLimit limit) {
        ErrorCode refused = refusal(current, command.aliUid());
        if (refused != null) {
            return refused == ErrorCode.INVALID_JOB_NOT_FOUND ? NOT_FOUND : PERMISSION_DENIED;
        }
        long[] recent = current.recentResets();
        long time = recent.length == 0 ? timestamp : Math.max(timestamp, recent[recent.length - 1]);
        if (!limit.allows(recent, time)) {
            return TOO_MANY_REQUESTS;
        }
        return new Decision.Accepted(current.restarted(limit.record(recent, time)));
    }

    /**
     * The checks that a reset shares with a query of the job ({@code GET /jobs/{Id}}), in the
     * contract's order: the job exists, then {@code aliUid} is its owner.
     *
     * @return the error code of the first that fails; null when both hold
     */
    public static ErrorCode refusal(StoredJob current, String aliUid) {
        if (current == null) {
            return ErrorCode.INVALID_JOB_NOT_FOUND;
        }
        if (aliUid == null || !aliUid.equals(current.aliUid())) {
            return ErrorCode.INVALID_UID_PERMISSION_DENIED;
        }
        return null;
    }
}
