package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The API's error response for one command, on the errors topic. It carries what the caller sent
 * and the catalogue's texts ({@link ErrorCode}), never fields of a job.
 *
 * @param requestId the command's RequestId (or the one assigned to it)
 * @param id the command's Id as given (possibly malformed, or null)
 * @param httpStatusCode the HTTP status the API answers with: 400, 403 or 404
 * @param code the API's error code, e.g. {@code InvalidJob.NotFound}
 * @param message the catalogue's message (for an unparseable command: what was wrong with it)
 * @param description the catalogue's description
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class) // the API's names: Id, AliUid, RequestId
@JsonPropertyOrder({"RequestId", "Id", "HttpStatusCode", "Code", "Message", "Description"})
public record ErrorEvent(
        String requestId,
        String id,
        int httpStatusCode,
        String code,
        String message,
        String description) {

    /** The error event for a catalogue code, with the catalogue's message. */
    public static ErrorEvent of(ErrorCode error, String requestId, String id) {
        return new ErrorEvent(requestId, id, error.httpStatus(), error.code(), error.message(), error.description());
    }

    /** The error event for a command that could not be parsed; the message says what was wrong. */
    public static ErrorEvent unparseable(String requestId, String id, String problem) {
        ErrorCode error = ErrorCode.INVALID_PARAMETER;
        return new ErrorEvent(requestId, id, error.httpStatus(), error.code(), problem, error.description());
    }
}
