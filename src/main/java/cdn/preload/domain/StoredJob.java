package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the job store holds for one job ID: the job, and the timestamps of its most recent accepted
 * resets, so that a reset costs one store write.
 */
public record StoredJob(
        @JsonProperty("Job") Job job,
        @JsonProperty("Resets") long[] recentResets) {

    private static final long[] NONE = new long[0];

    public StoredJob {
        Objects.requireNonNull(job, "job");
        recentResets = recentResets == null ? NONE : recentResets;
    }

    public static StoredJob of(Job job) {
        return new StoredJob(job, NONE);
    }

    /** The job replaced by a newer version from the jobs topic; the reset history stays. */
    public StoredJob withJob(Job newer) {
        return new StoredJob(newer, recentResets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredJob other && job.equals(other.job) && Arrays.equals(recentResets, other.recentResets);
    }

    @Override
    public int hashCode() {
        return 31 * job.hashCode() + Arrays.hashCode(recentResets);
    }

    @Override
    public String toString() {
        return "StoredJob[job=" + job + ", recentResets=" + Arrays.toString(recentResets) + "]";
    }
}
