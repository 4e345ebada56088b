package cdn.preload.domain;

/** The bytes are not the JSON document that was expected; the message says why. */
public final class InvalidJsonException extends RuntimeException {
    public InvalidJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
