package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;

/**
 * The answer to one valid command, serialised once: a snapshot, or an error event.
 *
 * @param error the error's code; null for a snapshot
 * @param document the snapshot or the error event, as written to its topic
 * @param replay whether it is the answer remembered from the first time
 */
record Outcome(ErrorCode error, byte[] document, boolean replay) implements Encoded {
    static Outcome snapshot(byte[] document, boolean replay) {
        return new Outcome(null, document, replay);
    }

    static Outcome error(ErrorCode error, byte[] document, boolean replay) {
        return new Outcome(error, document, replay);
    }

    boolean isSnapshot() {
        return error == null;
    }

    @Override
    public byte[] bytes() {
        return document;
    }
}
