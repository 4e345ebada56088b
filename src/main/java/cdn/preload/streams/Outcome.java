package cdn.preload.streams;

/** The answer to one command, serialised once: a snapshot or an error event document. */
record Outcome(Kind kind, byte[] document) implements Encoded {
    enum Kind { SNAPSHOT, ERROR }

    static Outcome snapshot(byte[] document) {
        return new Outcome(Kind.SNAPSHOT, document);
    }

    static Outcome error(byte[] document) {
        return new Outcome(Kind.ERROR, document);
    }

    boolean isSnapshot() {
        return kind == Kind.SNAPSHOT;
    }

    @Override
    public byte[] bytes() {
        return document;
    }
}
