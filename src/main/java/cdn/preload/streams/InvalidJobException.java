package cdn.preload.streams;

/** Why a job record cannot be stored (not a job, too large, keyed wrongly); it goes to the dead letter queue. */
final class InvalidJobException extends RuntimeException {
    InvalidJobException(String problem) {
        super(problem, null, false, false);
    }
}
