package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A request to reset a job's progress, as published on the commands topic. */
@JsonPropertyOrder({"RequestId", "Id", "AliUid"})
public record ResetCommand(
        String requestId,
        String id,
        String aliUid) {

    public ResetCommand withRequestId(String newRequestId) {
        return new ResetCommand(newRequestId, id, aliUid);
    }
}
