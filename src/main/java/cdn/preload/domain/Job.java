package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A scheduled prefetch job as the API describes it, with the API's JSON names and types.
 * Written in alphabetical order, as in the API page's success example.
 */
@JsonPropertyOrder(alphabetic = true)
public record Job(
        @JsonProperty("Id") String id,
        @JsonProperty("Name") String name,
        @JsonProperty("SiteId") Long siteId,
        @JsonProperty("AliUid") String aliUid,
        @JsonProperty("Domains") String domains,
        @JsonProperty("TaskType") String taskType,
        @JsonProperty("InsertWay") String insertWay,
        @JsonProperty("FileId") String fileId,
        @JsonProperty("UrlCount") Integer urlCount,
        @JsonProperty("UrlSubmitted") Integer urlSubmitted,
        @JsonProperty("TaskSubmitted") Integer taskSubmitted,
        @JsonProperty("ErrorInfo") String errorInfo,
        @JsonProperty("FailedFileOss") String failedFileOss,
        @JsonProperty("CreatedAt") String createdAt) {

    /** The job with its progress reset, so that prefetching restarts from the beginning. */
    public Job restarted() {
        return new Job(id, name, siteId, aliUid, domains, taskType, insertWay, fileId,
                urlCount, 0, 0, errorInfo, failedFileOss, createdAt);
    }
}
