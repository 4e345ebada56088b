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

    /** A record went to the dead letter queue; {@code source} is "commands" or "jobs". */
    default void deadLettered(String source, String problem) {
    }
}
