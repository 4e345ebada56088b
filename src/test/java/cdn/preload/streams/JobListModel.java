package cdn.preload.streams;

import cdn.preload.domain.Job;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The contract's list of a site's jobs that one account owns, written from the contract alone for the
 * tests to hold the index's pages against: in the time window when one is given, newest CreatedAt
 * first then by Id, a CreatedAt that is not a time last.
 */
final class JobListModel {
    private JobListModel() {
    }

    /**
     * The jobs of {@code site} that {@code account} owns, created within [{@code start}, {@code end}]
     * (epoch milliseconds; with neither given, whenever or never), in the contract's order.
     */
    static List<Job> list(Collection<Job> jobs, long site, String account, Long start, Long end) {
        return jobs.stream()
                .filter(job -> job.siteId() != null && job.siteId() == site && account.equals(job.aliUid()))
                .filter(job -> start == null && end == null || createdMillis(job) != null
                        && (start == null || createdMillis(job) >= start) && (end == null || createdMillis(job) <= end))
                .sorted(Comparator.comparing((Job job) -> createdMillis(job) == null)
                        .thenComparing(job -> createdMillis(job) == null ? 0L : createdMillis(job), Comparator.reverseOrder())
                        .thenComparing(Job::id))
                .toList();
    }

    /** The job's CreatedAt in epoch milliseconds; null when it is not a time. */
    static Long createdMillis(Job job) {
        try {
            return Instant.parse(job.createdAt()).toEpochMilli();
        } catch (RuntimeException notATime) {
            return null;
        }
    }
}
