package cdn.preload.domain;

/**
 * A command that is not a JSON object whose RequestId, Id and AliUid are strings. The message says
 * what was wrong; {@link #requestId()} and {@link #id()} are what the command gave, when it was an
 * object and they were strings. Stackless: hostile input is expected, and its cost must stay low.
 */
public final class UnparseableCommandException extends RuntimeException {
    private final String requestId;
    private final String id;

    public UnparseableCommandException(String problem, String requestId, String id) {
        super(problem, null, false, false);
        this.requestId = requestId;
        this.id = id;
    }

    public String requestId() {
        return requestId;
    }

    public String id() {
        return id;
    }
}
