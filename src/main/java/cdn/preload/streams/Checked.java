package cdn.preload.streams;

import cdn.preload.domain.ResetCommand;

/** A command after the checks that need no state: valid, answered at once, or a dead letter. */
sealed interface Checked permits Checked.Valid, Checked.Refused, DeadLetter {

    /**
     * Parsed, with a well-formed Id and a RequestId, keyed by its Id; {@code elsewhere}: not on the
     * partition where its job is kept, so it is re-routed there first.
     */
    record Valid(ResetCommand command, boolean elsewhere) implements Checked {
    }

    /** Refused before any lookup (unparseable, or a malformed Id): its error event. */
    record Refused(byte[] document) implements Checked, Encoded {
        @Override
        public byte[] bytes() {
            return document;
        }
    }
}
