package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A scheduled prefetch job as the API describes it, with the API's JSON names (each component's
 * name in upper camel case: {@code Id}, {@code AliUid}, ...) and types. Written in alphabetical
 * order, as in the API page's success example. Any field may be null.
 *
 * @param id task ID: 24 lower-case hexadecimal digits, and the key of its record on the jobs topic
 * @param name task name
 * @param siteId site ID
 * @param aliUid Alibaba Cloud account ID: the account that owns the job, the only one that may reset it
 * @param domains list of prefetch domain names
 * @param taskType task type (refresh/prefetch)
 * @param insertWay URL insertion method
 * @param fileId URL list file ID (used for download)
 * @param urlCount total number of URLs
 * @param urlSubmitted number of submitted URLs: 0 after a reset
 * @param taskSubmitted number of URLs submitted to the system for prefetching: 0 after a reset
 * @param errorInfo error message
 * @param failedFileOss OSS address of the failed file
 * @param createdAt task creation time
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names: Id, AliUid, RequestId
@JsonPropertyOrder(alphabetic = true)
public record Job(
        String id,
        String name,
        Long siteId,
        String aliUid,
        String domains,
        String taskType,
        String insertWay,
        String fileId,
        Integer urlCount,
        Integer urlSubmitted,
        Integer taskSubmitted,
        String errorInfo,
        String failedFileOss,
        String createdAt) {

    /** The job with its progress reset, so that prefetching restarts from the beginning. */
    public Job restarted() {
        return withCounters(0, 0);
    }

    /** The job with these counters of progress, the rest as it is. */
    public Job withCounters(Integer newUrlSubmitted, Integer newTaskSubmitted) {
        return new Job(id, name, siteId, aliUid, domains, taskType, insertWay, fileId,
                urlCount, newUrlSubmitted, newTaskSubmitted, errorInfo, failedFileOss, createdAt);
    }
}
