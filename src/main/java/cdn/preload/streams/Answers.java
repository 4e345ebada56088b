package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.ResetCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;

/**
 * How answers are remembered for replays, in the answers store. The key is the command's Id,
 * RequestId and AliUid. The value is the command's timestamp (8 bytes), then the answer. A snapshot
 * is kept whole, since it cannot be rebuilt once the job changes; an error is kept as its code
 * alone, since its document follows from the catalogue and the replayed command, which by
 * definition carries the same RequestId and Id. A snapshot document starts with '{' and a code
 * never does, so the first byte of the answer tells them apart.
 */
final class Answers {
    private static final byte NO_ALI_UID = (byte) 0xFF; // never a byte of UTF-8 text
    private static final byte[][] CODES = new byte[ErrorCode.values().length][];

    static {
        for (ErrorCode code : ErrorCode.values()) {
            CODES[code.ordinal()] = code.code().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private Answers() {
    }

    /** Id (24 ASCII bytes), RequestId length and bytes, then AliUid bytes or a marker for none. */
    static Bytes key(ResetCommand command) {
        byte[] requestId = command.requestId().getBytes(StandardCharsets.UTF_8);
        byte[] aliUid = command.aliUid() == null ? null : command.aliUid().getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.allocate(command.id().length() + Integer.BYTES + requestId.length
                + (aliUid == null ? 1 : aliUid.length));
        key.put(command.id().getBytes(StandardCharsets.US_ASCII)).putInt(requestId.length).put(requestId);
        if (aliUid == null) {
            key.put(NO_ALI_UID);
        } else {
            key.put(aliUid);
        }
        return Bytes.wrap(key.array());
    }

    /** What the store keeps for a snapshot answered at {@code timestamp}. */
    static byte[] rememberSnapshot(long timestamp, byte[] snapshot) {
        return withTime(timestamp, snapshot);
    }

    /** What the store keeps for an error answered at {@code timestamp}: its code. */
    static byte[] rememberError(long timestamp, ErrorCode error) {
        return withTime(timestamp, CODES[error.ordinal()]);
    }

    private static byte[] withTime(long timestamp, byte[] answer) {
        byte[] value = new byte[Long.BYTES + answer.length];
        ByteBuffer.wrap(value).putLong(timestamp).put(answer);
        return value;
    }

    /** The timestamp of the command a remembered answer was given to. */
    static long timeOf(byte[] remembered) {
        return ByteBuffer.wrap(remembered).getLong(0);
    }

    /** The error code of a remembered answer, or null for a snapshot. */
    static ErrorCode errorOf(byte[] remembered) {
        return remembered[Long.BYTES] == '{' ? null
                : ErrorCode.of(new String(remembered, Long.BYTES, remembered.length - Long.BYTES, StandardCharsets.US_ASCII));
    }

    /** The answer given the first time, document for document; {@code error} is {@link #errorOf}. */
    static Outcome replay(byte[] remembered, ErrorCode error, ResetCommand command) {
        if (error == null) {
            return Outcome.snapshot(Arrays.copyOfRange(remembered, Long.BYTES, remembered.length));
        }
        return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
    }
}
