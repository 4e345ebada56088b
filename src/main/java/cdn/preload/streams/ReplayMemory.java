package cdn.preload.streams;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The replay memory: the answers given, so that a command sent again gets the same answer, document
 * for document, for the replay retention. It is the only user of the answers store, whose formats
 * are these.
 *
 * <p><b>An answer</b> is kept under the command's Id (24 ASCII bytes), RequestId (its length in 4
 * bytes, then UTF-8) and AliUid (UTF-8, or a byte 0xFF for none, never a byte of UTF-8 text). Its
 * value is the time it was answered (8 bytes: the command's record time, or the stream time then if
 * later, so that a command dated in the past is remembered as long as any other), then either
 * <ul>
 * <li>2, a {@link StoredJob#DIGEST_LENGTH}-byte digest and a generation (8 bytes): a snapshot of the
 *     version of the job whose document has that digest, with the generation its header named. A
 *     snapshot is the RequestId and the job, whose document is the same after every reset as long
 *     as nothing else changed it (its progress at zero), so an accepted reset remembers 33 bytes,
 *     not the snapshot again;</li>
 * <li>an error code, alone: the error's document follows from the catalogue and the replayed
 *     command, which by definition carries the same RequestId and Id;</li>
 * <li>written before generations and still read, replayed without the header: 1 and a digest, as 2
 *     without the generation; 0 (before the digests), a snapshot of the job as it stands.</li>
 * </ul>
 *
 * <p><b>A version</b>: when the jobs topic or a progress report changes a job whose progress is at
 * zero (the only state a snapshot shows), or the jobs topic deletes it, the version it had is kept under the key Id, 0xFF (where an answer's
 * key has the first byte of a RequestId's length, 0), digest; its value is the time it was
 * superseded, then its document. So a job update writes at most one record here, however many
 * answers are remembered for the job, and a replay finds the version it showed either as the job
 * stands or there.
 *
 * <p><b>Retention</b>, in record time: a command at time t finds the answers given at times after
 * t - retention. Older answers, and versions superseded longer ago, are ignored when found, and
 * deleted by {@link #forgetExpired}, which reads a slice of the store each time it runs, where the
 * last run stopped: at least 1,000 entries, and enough to go round the whole store in
 * {@link #PURGE_ROUND} when it runs every {@link #PURGE_INTERVAL}. So no run stalls the stream thread
 * for long, and an expired entry stays at most about a round.
 */
final class ReplayMemory {
    /** How often the processor should call {@link #forgetExpired}. */
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    static final Duration PURGE_ROUND = Duration.ofHours(12);
    private static final int PURGE_MIN_SLICE = 1_000;
    private static final long PURGE_SLICES = PURGE_ROUND.dividedBy(PURGE_INTERVAL);

    private static final byte NO_ALI_UID = (byte) 0xFF;
    private static final byte SNAPSHOT_OF_THE_JOB = 0;
    private static final byte SNAPSHOT_OF_A_VERSION = 1;
    private static final byte SNAPSHOT_OF_A_GENERATION = 2;
    private static final byte VERSION_MARK = (byte) 0xFF;
    private static final int ID_LENGTH = JobId.LENGTH;
    private static final byte[][] CODES = new byte[ErrorCode.values().length][];

    static {
        for (ErrorCode code : ErrorCode.values()) {
            CODES[code.ordinal()] = code.code().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final KeyValueStore<Bytes, byte[]> answers;
    private final KeyValueStore<String, StoredJob> jobs;
    private final long retentionMs;
    /** Where the next purge starts reading; null: at the beginning of the store. */
    private Bytes purgeFrom;

    /**
     * @param answers the answers store, which nothing else uses
     * @param jobs the job store, for snapshots of the job as it stands
     */
    ReplayMemory(KeyValueStore<Bytes, byte[]> answers, KeyValueStore<String, StoredJob> jobs, Duration retention) {
        this.answers = answers;
        this.jobs = jobs;
        this.retentionMs = retention.toMillis();
    }

    /**
     * Where the answer to {@code command} is kept: built once per command, for both {@link #replay}
     * and {@code remember}. The command's Id is well formed, so ASCII.
     */
    static Bytes key(ResetCommand command) {
        String id = command.id();
        String requestId = command.requestId();
        String aliUid = command.aliUid();
        if (!isAscii(requestId) || (aliUid != null && !isAscii(aliUid))) {
            return keyOfText(command);
        }
        // The usual case: every field ASCII, copied as it is into one array.
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

    /**
     * The answer given to {@code command} the first time, when it was given within the retention
     * before {@code timestamp}; else null. Null too when it was a snapshot of a version that is gone
     * (superseded a retention ago, before the purge removed the answer): the answer is then
     * forgotten, as it would have been a moment later.
     */
    Outcome replay(Bytes key, ResetCommand command, long timestamp) {
        byte[] remembered = answers.get(key);
        if (remembered == null || timeOf(remembered) <= timestamp - retentionMs) {
            return null;
        }
        byte form = remembered[Long.BYTES];
        if (form != SNAPSHOT_OF_A_GENERATION && form != SNAPSHOT_OF_A_VERSION && form != SNAPSHOT_OF_THE_JOB) {
            ErrorCode error = ErrorCode.of(new String(remembered, Long.BYTES, remembered.length - Long.BYTES,
                    StandardCharsets.US_ASCII));
            return Outcome.error(error, Json.write(ErrorEvent.of(error, command.requestId(), command.id())), true);
        }
        long generation = form == SNAPSHOT_OF_A_GENERATION
                ? longAt(remembered, Long.BYTES + 1 + StoredJob.DIGEST_LENGTH) : Outcome.NO_GENERATION;
        StoredJob job = jobs.get(command.id());
        if (job != null && (form == SNAPSHOT_OF_THE_JOB || job.hasDigest(remembered, Long.BYTES + 1))) {
            return Outcome.snapshot(JobDocuments.snapshot(job, command.requestId()), true, generation);
        }
        byte[] version = form == SNAPSHOT_OF_THE_JOB ? null : answers.get(versionKey(command.id(), remembered, Long.BYTES + 1));
        return version == null ? null
                : Outcome.snapshot(JobDocuments.snapshot(version, Long.BYTES, command.requestId()), true, generation);
    }

    /**
     * Remembers that the command at {@code key} was answered at {@code timestamp} with a snapshot of
     * {@code job}, with its generation.
     */
    void rememberSnapshot(Bytes key, long timestamp, StoredJob job) {
        answers.put(key, snapshotValue(timestamp, job));
    }

    /** Remembers that the command at {@code key} was answered at {@code timestamp} with {@code error}. */
    void rememberError(Bytes key, long timestamp, ErrorCode error) {
        answers.put(key, errorValue(timestamp, error));
    }

    static byte[] snapshotValue(long timestamp, StoredJob job) {
        byte[] value = withTime(timestamp, 1 + StoredJob.DIGEST_LENGTH + Long.BYTES);
        value[Long.BYTES] = SNAPSHOT_OF_A_GENERATION;
        job.copyDigest(value, Long.BYTES + 1);
        putLong(value, Long.BYTES + 1 + StoredJob.DIGEST_LENGTH, job.generation());
        return value;
    }

    static byte[] errorValue(long timestamp, ErrorCode error) {
        byte[] code = CODES[error.ordinal()];
        byte[] value = withTime(timestamp, code.length);
        System.arraycopy(code, 0, value, Long.BYTES, code.length);
        return value;
    }

    /**
     * Before the job {@code id} changes or goes (from the jobs topic), keeps the version it has,
     * {@code current}, if a snapshot can have shown it (its progress at zero), as superseded at
     * {@code supersededAt}. One write, whatever the job's answers; a progress update of a job in
     * progress keeps nothing.
     */
    void keepVersion(String id, StoredJob current, long supersededAt) {
        if (!current.atStart()) {
            return;
        }
        byte[] digest = new byte[StoredJob.DIGEST_LENGTH];
        current.copyDigest(digest, 0);
        byte[] value = withTime(supersededAt, current.documentLength());
        current.copyDocument(value, Long.BYTES);
        answers.put(versionKey(id, digest, 0), value);
    }

    /** Deletes, in the next slice of the store, what no command at {@code streamTime} or later can replay. */
    void forgetExpired(long streamTime) {
        long expiredUpTo = streamTime - retentionMs;
        long slice = Math.max(PURGE_MIN_SLICE, answers.approximateNumEntries() / PURGE_SLICES);
        List<Bytes> expired = new ArrayList<>();
        Bytes next = null;
        try (KeyValueIterator<Bytes, byte[]> from = answers.range(purgeFrom, null)) {
            for (long read = 0; from.hasNext(); read++) {
                KeyValue<Bytes, byte[]> entry = from.next();
                if (read == slice) {
                    next = entry.key;
                    break;
                }
                if (timeOf(entry.value) <= expiredUpTo) {
                    expired.add(entry.key);
                }
            }
        }
        purgeFrom = next;
        expired.forEach(answers::delete);
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

    private static Bytes versionKey(String id, byte[] digest, int at) {
        byte[] key = new byte[ID_LENGTH + 1 + StoredJob.DIGEST_LENGTH];
        putAscii(id, key, 0);
        key[ID_LENGTH] = VERSION_MARK;
        System.arraycopy(digest, at, key, ID_LENGTH + 1, StoredJob.DIGEST_LENGTH);
        return Bytes.wrap(key);
    }

    /** The timestamp (8 bytes, big-endian), then room for {@code length} bytes. */
    private static byte[] withTime(long timestamp, int length) {
        byte[] value = new byte[Long.BYTES + length];
        putLong(value, 0, timestamp);
        return value;
    }

    private static void putLong(byte[] into, int at, long number) {
        for (int i = 0; i < Long.BYTES; i++) {
            into[at + i] = (byte) (number >>> (56 - 8 * i));
        }
    }

    private static long timeOf(byte[] value) {
        return longAt(value, 0);
    }

    /** The 8-byte big-endian number at {@code at}. */
    private static long longAt(byte[] value, int at) {
        long number = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            number = number << 8 | (value[at + i] & 0xFF);
        }
        return number;
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
}
