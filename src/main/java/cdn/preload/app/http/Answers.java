package cdn.preload.app.http;

import cdn.preload.domain.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** How the HTTP interface writes an answer: a JSON body, a problem, a 503 to try again, a 404 for a path. */
final class Answers {
    private Answers() {
    }

    static void noSuchPath(Request request, Response response, Callback callback) {
        send(response, callback, 404, problem("No such path: " + request.getHttpURI().getDecodedPath()
                + ". Paths: /health/live, /health/ready, /metrics, /jobs/{Id}, /jobs?SiteId=...&AliUid=...."));
    }

    static void unavailable(Response response, Callback callback) {
        unavailable(response, callback, "The job store is not available right now (starting or rebalancing); try again.");
    }

    static void unavailable(Response response, Callback callback, String message) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        send(response, callback, 503, problem(message));
    }

    static ObjectNode problem(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    static void send(Response response, Callback callback, int status, Object body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        write(response, callback, status, Json.write(body));
    }

    static void write(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
