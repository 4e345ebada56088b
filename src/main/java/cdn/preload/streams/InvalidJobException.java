package cdn.preload.streams;

/** A job record that parses but cannot be stored; it goes to the dead letter queue. */
final class InvalidJobException extends RuntimeException {
    InvalidJobException(String problem) {
        super(problem, null, false, false);
    }
}
