package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How answers are remembered for replays, in the answers store. The key is the command's Id,
 * RequestId and AliUid. The value is the command's timestamp (8 bytes), then the answer, in one of
 * these forms that its first byte tells apart:
 * <ul>
 * <li>1, then a {@link StoredJob#DIGEST_LENGTH}-byte digest: a snapshot of the version of the job
 *     whose document has that digest. A snapshot is the RequestId and the job, and the job does not
 *     change as long as only resets touch it (its progress is at zero after the first). So an
 *     accepted reset remembers 25 bytes, not the snapshot again;
 * <li>an error code, alone: the error's document follows from the catalogue and the replayed
 *     command, which by definition carries the same RequestId and Id;
 * <li>written by earlier versions and still read: a zero byte (a snapshot of the job as it stands)
 *     and '{' (a snapshot document, whole).
 * </ul>
 *
 * <p>When the jobs topic changes or deletes a job, the version it had is kept beside its answers,
 * under the key Id, {@value #VERSION_MARK} (never a byte of an answer's key there), digest; its value
 * is the time it was superseded, then its document ({@link #keepVersion}). So a job update writes one
 * record to this store, however many answers are remembered for the job, and a replay finds the
 * version it showed either as the job stands or there. A version is forgotten like an answer,
 * a retention after it was superseded.
 */
final class Answers {
    private static final byte NO_ALI_UID = (byte) 0xFF; // never a byte of UTF-8 text
    private static final byte SNAPSHOT_OF_THE_JOB = 0;
    private static final byte SNAPSHOT_OF_A_VERSION = 1;
    /** After the Id in a version's key; an answer's key has there the first byte of a RequestId's length, 0. */
    private static final byte VERSION_MARK = (byte) 0xFF;
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

    /** What the store keeps for a snapshot of {@code job} answered at {@code timestamp}: the version's digest. */
    static byte[] rememberSnapshot(long timestamp, StoredJob job) {
        byte[] value = withTime(timestamp, 1 + StoredJob.DIGEST_LENGTH);
        value[Long.BYTES] = SNAPSHOT_OF_A_VERSION;
        job.copyDigest(value, Long.BYTES + 1);
        return value;
    }

    /** What the store keeps for an error answered at {@code timestamp}: its code. */
    static byte[] rememberError(long timestamp, ErrorCode error) {
        return withTime(timestamp, CODES[error.ordinal()]);
    }

    /** The timestamp (8 bytes, big-endian, as {@link #timeOf} reads it), then the answer. */
    private static byte[] withTime(long timestamp, byte[] answer) {
        byte[] value = withTime(timestamp, answer.length);
        System.arraycopy(answer, 0, value, Long.BYTES, answer.length);
        return value;
    }

    /** The timestamp, then room for {@code length} bytes. */
    private static byte[] withTime(long timestamp, int length) {
        byte[] value = new byte[Long.BYTES + length];
        for (int i = 0; i < Long.BYTES; i++) {
            value[i] = (byte) (timestamp >>> (56 - 8 * i));
        }
        return value;
    }

    /** The timestamp of the command a remembered answer was given to. */
    static long timeOf(byte[] remembered) {
        return ByteBuffer.wrap(remembered).getLong(0);
    }

    /** The error code of a remembered answer, or null for a snapshot. */
    static ErrorCode errorOf(byte[] remembered) {
        byte first = remembered[Long.BYTES];
        return first == SNAPSHOT_OF_A_VERSION || first == SNAPSHOT_OF_THE_JOB || first == '{' ? null
                : ErrorCode.of(new String(remembered, Long.BYTES, remembered.length - Long.BYTES, StandardCharsets.US_ASCII));
    }

    /**
     * The answer given the first time, document for document; {@code error} is {@link #errorOf}. A
     * snapshot is rebuilt from the job as it stands ({@code jobs}) when it is still the version it
     * showed, else from the version kept in {@code answers}. Null when that version is gone (it was
     * superseded a retention ago, and a late command finds its answer before the purge removes it):
     * the answer is then forgotten, as it would have been a moment later.
     */
    static Outcome replay(byte[] remembered, ErrorCode error, ResetCommand command, KeyValueStore<String, StoredJob> jobs,
                          KeyValueStore<Bytes, byte[]> answers) {
        if (error != null) {
            return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
        }
        byte form = remembered[Long.BYTES];
        if (form == '{') {
            return Outcome.snapshot(Arrays.copyOfRange(remembered, Long.BYTES, remembered.length));
        }
        StoredJob job = jobs.get(command.id());
        if (job != null && (form == SNAPSHOT_OF_THE_JOB || job.hasDigest(remembered, Long.BYTES + 1))) {
            return Outcome.snapshot(job.snapshot(command.requestId()));
        }
        byte[] version = form == SNAPSHOT_OF_A_VERSION ? answers.get(versionKey(command.id(), remembered, Long.BYTES + 1)) : null;
        return version == null ? null : Outcome.snapshot(StoredJob.snapshot(version, Long.BYTES, command.requestId()));
    }

    /**
     * Before the job {@code id} changes or goes (from the jobs topic), keeps the version it has,
     * {@code current}, with the time it is superseded at: one write, whatever the job's answers.
     */
    static void keepVersion(KeyValueStore<Bytes, byte[]> answers, String id, StoredJob current, long supersededAt) {
        byte[] digest = new byte[StoredJob.DIGEST_LENGTH];
        current.copyDigest(digest, 0);
        answers.put(versionKey(id, digest, 0), withTime(supersededAt, current.document()));
    }

    private static Bytes versionKey(String id, byte[] digest, int at) {
        byte[] key = new byte[ID_LENGTH + 1 + StoredJob.DIGEST_LENGTH];
        putAscii(id, key, 0);
        key[ID_LENGTH] = VERSION_MARK;
        System.arraycopy(digest, at, key, ID_LENGTH + 1, StoredJob.DIGEST_LENGTH);
        return Bytes.wrap(key);
    }
}
