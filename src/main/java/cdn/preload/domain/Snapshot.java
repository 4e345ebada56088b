package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The API's success response, on the snapshots topic: the request ID, then the 14 fields of the job
 * after the reset.
 *
 * @param requestId the command's RequestId (or the one assigned to a command without one)
 * @param job the job as the reset left it: its progress at zero
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names: Id, AliUid, RequestId
@JsonPropertyOrder({"RequestId"})
public record Snapshot(
        String requestId,
        @JsonUnwrapped Job job) {
}
