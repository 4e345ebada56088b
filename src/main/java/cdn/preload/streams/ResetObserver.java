package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;

/**
 * What the processors report as they work, for metrics and logs. Called on the stream thread, once
 * per command: implementations must be cheap and must not block.
 */
public interface ResetObserver {
    /** Observes nothing: the topology in tests, or run without metrics. */
    ResetObserver NONE = new ResetObserver() {
    };

    /**
     * A command was answered.
     *
     * @param requestId the command's RequestId, given or assigned
     * @param id the command's Id as given, possibly null
     * @param error the error code, or null for a snapshot
     * @param replay whether the answer was the remembered one
     * @param nanos how long the command took, in the processor that answered it
     */
    default void answered(String requestId, String id, ErrorCode error, boolean replay, long nanos) {
    }

    /** A record went to the dead letter queue; {@code source} is "commands", "jobs" or "progress". */
    default void deadLettered(String source, String problem) {
    }

    /** What became of a progress report: each ends as exactly one of these. */
    enum ProgressOutcome {
        /** The job's counters went up. */
        APPLIED,
        /** Of the job's current generation, but no counter went up. */
        UNCHANGED,
        /** No such job, or an older generation than the job's: dropped. */
        FENCED,
        /** Bad input, on the dead letter queue. */
        DEAD_LETTERED
    }

    /** A progress report ended as {@code outcome}. */
    default void progress(ProgressOutcome outcome) {
    }
}
