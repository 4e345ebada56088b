package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A request to reset a job's progress, as published on the commands topic (keyed by its Id).
 *
 * @param requestId the caller's ID for the request, echoed in the answer; a command sent again with
 *     the same RequestId, Id and AliUid gets the same answer (a replay). Null: one is assigned
 * @param id the ID of the job to reset
 * @param aliUid the caller's account, which must own the job
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names: Id, AliUid, RequestId
@JsonPropertyOrder({"RequestId", "Id", "AliUid"})
public record ResetCommand(
        String requestId,
        String id,
        String aliUid) {

    public ResetCommand withRequestId(String newRequestId) {
        return new ResetCommand(newRequestId, id, aliUid);
    }
}
