package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * {@code ListScheduledPreloadJobs}' answer: one page of a site's jobs that an account owns.
 *
 * @param totalCount how many jobs the list has, on every page
 * @param pageNumber the page, from 1
 * @param pageSize the most jobs a page holds
 * @param jobs the page's jobs, newest {@code CreatedAt} first, then by Id; empty past the last page
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names
@JsonPropertyOrder({"RequestId", "TotalCount", "PageNumber", "PageSize", "Jobs"})
public record JobList(String requestId, long totalCount, int pageNumber, int pageSize, List<Job> jobs) {
    public JobList {
        jobs = List.copyOf(jobs);
    }
}
