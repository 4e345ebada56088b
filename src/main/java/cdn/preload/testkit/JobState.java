package cdn.preload.testkit;

import cdn.preload.domain.Job;
import java.util.Objects;

/**
 * A record of the state topic as {@link ResetTestKit} reads it: a job as the processor holds it,
 * with its generation (the contract's {@code JobState} document), or the tombstone of a deleted job.
 *
 * @param id the job's Id: the record's key
 * @param generation the job's generation: 0 when it was first stored, plus one for each accepted
 *     reset; null for a tombstone
 * @param job the job's 14 fields; null for a tombstone
 */
public record JobState(String id, Long generation, Job job) {
    /** The state of a stored job. */
    public static JobState of(Job job, long generation) {
        return new JobState(Objects.requireNonNull(job, "job").id(), generation, job);
    }

    /** The tombstone of the deleted job {@code id}. */
    public static JobState deleted(String id) {
        return new JobState(Objects.requireNonNull(id, "id"), null, null);
    }

    public boolean isDeleted() {
        return job == null;
    }
}
