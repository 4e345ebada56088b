package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The API's error response for one command. It carries what the caller sent and the catalogue's
 * texts, never fields of a job.
 */
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
