package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A scheduled prefetch job as the API describes it, with the API's JSON names and types.
 * Written in alphabetical order, as in the API page's success example.
 */
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
        return new Job(id, name, siteId, aliUid, domains, taskType, insertWay, fileId,
                urlCount, 0, 0, errorInfo, failedFileOss, createdAt);
    }
}
