package cdn.preload.testing;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The error event the contract prescribes for a refused command, as the tests expect it. */
public final class ErrorEvents {
    private ErrorEvents() {
    }

    /** The event answering the command {@code requestId} for the job {@code id} with {@code code}, field by field. */
    public static ObjectNode expected(String requestId, String id, ErrorCode code) {
        return Json.MAPPER.createObjectNode()
                .put("RequestId", requestId)
                .put("Id", id)
                .put("HttpStatusCode", code.httpStatus())
                .put("Code", code.code())
                .put("Message", code.message())
                .put("Description", code.description());
    }
}
