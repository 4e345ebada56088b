package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.ResetCommand;

/**
 * A record of an input topic after the checks that need no state: a command, a job change or a
 * progress report to process on its job's partition, an answer given at once, or a dead letter.
 */
sealed interface Checked permits Checked.Command, Checked.JobChange, Checked.Progress, Checked.Refused, DeadLetter {

    /** Whether the record is not on the partition where its job is kept, and is re-routed there first. */
    default boolean elsewhere() {
        return false;
    }

    /** A parsed command with a well-formed Id and a RequestId, keyed by its Id. */
    record Command(ResetCommand command, boolean elsewhere) implements Checked {
    }

    /**
     * The job to store under its Id (the record's key), with its document as it is stored, and the
     * generation its counters were computed in (its header {@code preload.generation}; 0 without
     * one), or, when {@code job} is null, to delete. {@code origin} is the record as it came, for a
     * dead letter on the job's partition (a generation ahead of the job's); null where the job's
     * partition reads the record itself, or where no dead letter can come of it (generation 0).
     */
    record JobChange(Job job, byte[] document, long generation, Origin origin, boolean elsewhere) implements Checked {
        static final JobChange DELETE = new JobChange(null, null, 0, null, false);
    }

    /**
     * A well-formed progress report, keyed by its job's Id. {@code origin} is the record as it came,
     * for a dead letter on the job's partition (a generation ahead of the job's); null where the
     * job's partition reads the record itself.
     */
    record Progress(cdn.preload.domain.Progress report, Origin origin, boolean elsewhere) implements Checked {
    }

    /** A command refused before any lookup (unparseable, or a malformed Id): its error event. */
    record Refused(byte[] document) implements Checked, Encoded {
        @Override
        public byte[] bytes() {
            return document;
        }
    }
}
