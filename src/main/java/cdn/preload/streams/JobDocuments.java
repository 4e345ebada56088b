package cdn.preload.streams;

import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The contract's documents of a stored job, spliced from its document's bytes without parsing it:
 * the snapshot that answers a reset (the RequestId, then the job's 14 fields) and the job's
 * {@code JobState} (its generation, then the 14 fields). Each is byte for byte what writing it as
 * JSON gives ({@link Snapshot}, {@link Json#write}).
 */
public final class JobDocuments {
    private static final byte[] SNAPSHOT_START = "{\"RequestId\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATE_START = "{\"Generation\":".getBytes(StandardCharsets.US_ASCII);

    private JobDocuments() {
    }

    /** The snapshot of {@code job} answering {@code requestId}. */
    public static byte[] snapshot(StoredJob job, String requestId) {
        byte[] snapshot = started(requestId, job.documentLength());
        int at = snapshot.length - job.documentLength();
        job.copyDocument(snapshot, at);
        snapshot[at] = ','; // the document's '{'
        return snapshot;
    }

    /** The snapshot answering {@code requestId} with the job document that {@code source} holds from {@code from}. */
    public static byte[] snapshot(byte[] source, int from, String requestId) {
        int documentLength = source.length - from;
        byte[] snapshot = started(requestId, documentLength);
        int at = snapshot.length - documentLength;
        System.arraycopy(source, from, snapshot, at, documentLength);
        snapshot[at] = ','; // the document's '{'
        return snapshot;
    }

    /**
     * A snapshot's bytes with {@code {"RequestId":"<requestId>"} written, and room after it for a
     * document of {@code documentLength} bytes, whose opening brace is to become the comma.
     */
    private static byte[] started(String requestId, int documentLength) {
        byte[] escaped = isPlain(requestId) ? null : escaped(requestId);
        int quotedLength = escaped == null ? requestId.length() : escaped.length;
        byte[] snapshot = new byte[SNAPSHOT_START.length + quotedLength + 1 + documentLength];
        System.arraycopy(SNAPSHOT_START, 0, snapshot, 0, SNAPSHOT_START.length);
        int at = SNAPSHOT_START.length;
        if (escaped == null) {
            for (int i = 0; i < quotedLength; i++) {
                snapshot[at + i] = (byte) requestId.charAt(i);
            }
        } else {
            System.arraycopy(escaped, 0, snapshot, at, quotedLength);
        }
        snapshot[at + quotedLength] = '"';
        return snapshot;
    }

    /** The {@code JobState} of {@code job}, as the state topic carries it. */
    public static byte[] state(StoredJob job) {
        byte[] digits = Long.toString(job.generation()).getBytes(StandardCharsets.US_ASCII);
        byte[] state = new byte[STATE_START.length + digits.length + job.documentLength()];
        System.arraycopy(STATE_START, 0, state, 0, STATE_START.length);
        System.arraycopy(digits, 0, state, STATE_START.length, digits.length);
        int at = STATE_START.length + digits.length;
        job.copyDocument(state, at);
        state[at] = ','; // the document's '{'
        return state;
    }

    /** Whether the text is printable ASCII with nothing to escape in a JSON string. */
    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** The text's UTF-8 bytes between the quotes of a JSON string, escaped as Jackson writes them. */
    private static byte[] escaped(String text) {
        byte[] written = Json.write(text);
        return Arrays.copyOfRange(written, 1, written.length - 1);
    }
}
