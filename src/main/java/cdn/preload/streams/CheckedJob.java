package cdn.preload.streams;

import cdn.preload.domain.Job;

/** A record of the jobs topic after its checks: a change to store, or a dead letter. */
sealed interface CheckedJob permits CheckedJob.Change, DeadLetter {

    /**
     * The job to store under its Id (the record's key), or, when {@code job} is null, to delete;
     * {@code elsewhere}: not on the partition where the job is kept, so it is re-routed there first.
     */
    record Change(Job job, boolean elsewhere) implements CheckedJob {
    }
}
