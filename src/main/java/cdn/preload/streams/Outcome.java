package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The answer to one valid command, serialised once: a snapshot, or an error event.
 *
 * @param error the error's code; null for a snapshot
 * @param document the snapshot or the error event, as written to its topic
 * @param replay whether it is the answer remembered from the first time
 * @param generation for a snapshot, the job's generation that the reset started, which its header
 *     {@value #GENERATION_HEADER} carries; {@link #NO_GENERATION} for an error, and for the replay of a
 *     snapshot remembered by a version without generations
 */
record Outcome(ErrorCode error, byte[] document, boolean replay, long generation) implements Encoded {
    /** The header of a snapshot that names the job's new generation, in ASCII decimal digits. */
    static final String GENERATION_HEADER = Topics.GENERATION_HEADER;
    static final long NO_GENERATION = -1;

    static Outcome snapshot(byte[] document, boolean replay, long generation) {
        return new Outcome(null, document, replay, generation);
    }

    static Outcome error(ErrorCode error, byte[] document, boolean replay) {
        return new Outcome(error, document, replay, NO_GENERATION);
    }

    boolean isSnapshot() {
        return error == null;
    }

    /** The answer's headers: a snapshot's generation, when it has one. */
    Headers headers() {
        RecordHeaders headers = new RecordHeaders();
        if (generation != NO_GENERATION) {
            headers.add(GENERATION_HEADER, Long.toString(generation).getBytes(StandardCharsets.US_ASCII));
        }
        return headers;
    }

    @Override
    public byte[] bytes() {
        return document;
    }
}
