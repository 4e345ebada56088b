package cdn.preload.domain;

/** What a reset command comes to: the job as it stands after the reset, or an error from the catalogue. */
public sealed interface Decision {

    /** The reset is applied: store {@code updated} and answer with its job. */
    record Accepted(StoredJob updated) implements Decision {
    }

    /** The reset is refused with {@code error}; nothing changes. */
    record Rejected(ErrorCode error) implements Decision {
    }
}
