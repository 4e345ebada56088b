package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.ResetCommand;

/** A command after the checks that need no state: well formed, or already answered with an error. */
sealed interface Checked {

    /** Parsed, with a well-formed Id and a RequestId. */
    record Valid(ResetCommand command) implements Checked {
    }

    /** Refused before any lookup (unparseable, or a malformed Id). */
    record Rejected(ErrorCode code, ErrorEvent error) implements Checked {
    }
}
