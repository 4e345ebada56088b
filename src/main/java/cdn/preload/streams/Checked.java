package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.ResetCommand;

/**
 * A record of an input topic after the checks that need no state: a command or a job change to
 * process on its job's partition, an answer given at once, or a dead letter.
 */
sealed interface Checked permits Checked.Command, Checked.JobChange, Checked.Refused, DeadLetter {

    /** Whether the record is not on the partition where its job is kept, and is re-routed there first. */
    default boolean elsewhere() {
        return false;
    }

    /** A parsed command with a well-formed Id and a RequestId, keyed by its Id. */
    record Command(ResetCommand command, boolean elsewhere) implements Checked {
    }

    /**
     * The job to store under its Id (the record's key), with its document as it is stored, or, when
     * {@code job} is null, to delete.
     */
    record JobChange(Job job, byte[] document, boolean elsewhere) implements Checked {
        static final JobChange DELETE = new JobChange(null, null, false);
    }

    /** A command refused before any lookup (unparseable, or a malformed Id): its error event. */
    record Refused(byte[] document) implements Checked, Encoded {
        @Override
        public byte[] bytes() {
            return document;
        }
    }
}
