package cdn.preload.app.http;

/** The HTTP interface could not listen where it was told to (a port in use, an address not of this host). */
public final class HttpSetupException extends RuntimeException {
    public HttpSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
