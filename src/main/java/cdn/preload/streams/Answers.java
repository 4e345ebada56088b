package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How answers are remembered for replays, in the answers store. The key is the command's Id,
 * RequestId and AliUid. The value is the command's timestamp (8 bytes), then the answer, in one of
 * three forms that its first byte tells apart:
 * <ul>
 * <li>a zero byte: a snapshot of the job as it stands in the job store. A snapshot is the RequestId
 *     and the job, and the job does not change as long as only resets touch it (its progress is at
 *     zero after the first). So an accepted reset remembers 9 bytes, not the snapshot again;
 * <li>'{': a snapshot document, whole. When the jobs topic changes or deletes a job, the snapshots
 *     remembered as the job's are first written out whole ({@link #keepSnapshots});
 * <li>an error code, alone: the error's document follows from the catalogue and the replayed
 *     command, which by definition carries the same RequestId and Id.
 * </ul>
 */
final class Answers {
    private static final byte NO_ALI_UID = (byte) 0xFF; // never a byte of UTF-8 text
    private static final byte SNAPSHOT_OF_THE_JOB = 0;
    private static final byte[] THE_JOBS_SNAPSHOT = {SNAPSHOT_OF_THE_JOB};
    private static final int ID_LENGTH = JobId.LENGTH;
    private static final byte[][] CODES = new byte[ErrorCode.values().length][];

    static {
        for (ErrorCode code : ErrorCode.values()) {
            CODES[code.ordinal()] = code.code().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private Answers() {
    }

    /**
     * Id (24 ASCII bytes), RequestId length (4 bytes) and UTF-8 bytes, then AliUid UTF-8 bytes or a
     * marker for none. Built in one array: the Id is checked to be ASCII before any answer is
     * remembered, and a RequestId or AliUid that is ASCII too (the usual case) is copied as it is.
     */
    static Bytes key(ResetCommand command) {
        String id = command.id();
        String requestId = command.requestId();
        String aliUid = command.aliUid();
        if (!isAscii(requestId) || (aliUid != null && !isAscii(aliUid))) {
            return keyOfText(command);
        }
        byte[] key = new byte[ID_LENGTH + Integer.BYTES + requestId.length() + (aliUid == null ? 1 : aliUid.length())];
        int at = putAscii(id, key, 0);
        key[at++] = (byte) (requestId.length() >>> 24);
        key[at++] = (byte) (requestId.length() >>> 16);
        key[at++] = (byte) (requestId.length() >>> 8);
        key[at++] = (byte) requestId.length();
        at = putAscii(requestId, key, at);
        if (aliUid == null) {
            key[at] = NO_ALI_UID;
        } else {
            putAscii(aliUid, key, at);
        }
        return Bytes.wrap(key);
    }

    private static Bytes keyOfText(ResetCommand command) {
        byte[] requestId = command.requestId().getBytes(StandardCharsets.UTF_8);
        byte[] aliUid = command.aliUid() == null ? null : command.aliUid().getBytes(StandardCharsets.UTF_8);
        ByteBuffer key = ByteBuffer.allocate(ID_LENGTH + Integer.BYTES + requestId.length
                + (aliUid == null ? 1 : aliUid.length));
        key.put(command.id().getBytes(StandardCharsets.US_ASCII)).putInt(requestId.length).put(requestId);
        if (aliUid == null) {
            key.put(NO_ALI_UID);
        } else {
            key.put(aliUid);
        }
        return Bytes.wrap(key.array());
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int putAscii(String text, byte[] into, int at) {
        for (int i = 0; i < text.length(); i++) {
            into[at + i] = (byte) text.charAt(i);
        }
        return at + text.length();
    }

    /** What the store keeps for a snapshot answered at {@code timestamp}: a reference to the stored job. */
    static byte[] rememberSnapshot(long timestamp) {
        return withTime(timestamp, THE_JOBS_SNAPSHOT);
    }

    /** What the store keeps for an error answered at {@code timestamp}: its code. */
    static byte[] rememberError(long timestamp, ErrorCode error) {
        return withTime(timestamp, CODES[error.ordinal()]);
    }

    /** The timestamp (8 bytes, big-endian, as {@link #timeOf} reads it), then the answer. */
    private static byte[] withTime(long timestamp, byte[] answer) {
        byte[] value = new byte[Long.BYTES + answer.length];
        for (int i = 0; i < Long.BYTES; i++) {
            value[i] = (byte) (timestamp >>> (56 - 8 * i));
        }
        System.arraycopy(answer, 0, value, Long.BYTES, answer.length);
        return value;
    }

    /** The timestamp of the command a remembered answer was given to. */
    static long timeOf(byte[] remembered) {
        return ByteBuffer.wrap(remembered).getLong(0);
    }

    /** The error code of a remembered answer, or null for a snapshot. */
    static ErrorCode errorOf(byte[] remembered) {
        byte first = remembered[Long.BYTES];
        return first == SNAPSHOT_OF_THE_JOB || first == '{' ? null
                : ErrorCode.of(new String(remembered, Long.BYTES, remembered.length - Long.BYTES, StandardCharsets.US_ASCII));
    }

    /**
     * The answer given the first time, document for document; {@code error} is {@link #errorOf}, and
     * {@code jobs} the job store, where a snapshot remembered as the job's is rebuilt from.
     */
    static Outcome replay(byte[] remembered, ErrorCode error, ResetCommand command, KeyValueStore<String, StoredJob> jobs) {
        if (error != null) {
            return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
        }
        if (remembered[Long.BYTES] == '{') {
            return Outcome.snapshot(Arrays.copyOfRange(remembered, Long.BYTES, remembered.length));
        }
        StoredJob job = jobs.get(command.id());
        if (job == null) { // a change to the job writes its snapshots out first: this cannot be
            throw new IllegalStateException("The answer to " + command.requestId() + " is a snapshot of job "
                    + command.id() + ", which is not in the store");
        }
        return Outcome.snapshot(job.snapshot(command.requestId()));
    }

    /**
     * Before the job {@code id} changes or goes (from the jobs topic), writes out whole the snapshots
     * remembered as the job's, built from {@code current}, the job as it stands.
     */
    static void keepSnapshots(KeyValueStore<Bytes, byte[]> answers, String id, StoredJob current) {
        List<KeyValue<Bytes, byte[]>> kept = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> ofTheJob = answers.prefixScan(
                id.getBytes(StandardCharsets.US_ASCII), new ByteArraySerializer())) {
            while (ofTheJob.hasNext()) {
                KeyValue<Bytes, byte[]> answer = ofTheJob.next();
                if (answer.value[Long.BYTES] == SNAPSHOT_OF_THE_JOB) {
                    byte[] snapshot = current.snapshot(requestIdOf(answer.key.get()));
                    kept.add(KeyValue.pair(answer.key, withTime(timeOf(answer.value), snapshot)));
                }
            }
        }
        answers.putAll(kept);
    }

    private static String requestIdOf(byte[] key) {
        int length = ByteBuffer.wrap(key).getInt(ID_LENGTH);
        return new String(key, ID_LENGTH + Integer.BYTES, length, StandardCharsets.UTF_8);
    }
}
