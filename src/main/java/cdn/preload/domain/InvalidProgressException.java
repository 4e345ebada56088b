package cdn.preload.domain;

/** A record of the progress topic that is not a progress report of the contract; the message says why. */
public final class InvalidProgressException extends RuntimeException {
    public InvalidProgressException(String problem) {
        super(problem, null, false, false);
    }
}
