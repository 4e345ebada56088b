package cdn.preload.app.runtime;

/** The cluster could not be set up or reached; the message says what and where. */
public final class KafkaSetupException extends RuntimeException {
    public KafkaSetupException(String message) {
        super(message);
    }

    public KafkaSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
