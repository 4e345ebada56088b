package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** The API's success response: the request ID and the 14 fields of the job after the reset. */
@JsonPropertyOrder({"RequestId"})
public record Snapshot(
        String requestId,
        @JsonUnwrapped Job job) {
}
