package cdn.preload.streams;

import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How the job store keeps a {@link StoredJob}: a format byte (3), the job's generation (8 bytes), the
 * number of recent resets (4 bytes) and each (8 bytes), the owner's length (4 bytes, -1 for none) and
 * UTF-8 bytes, 1 when the job's progress is at zero (else 0), then, for a job at zero only, the
 * document's {@link StoredJob#DIGEST_LENGTH}-byte digest (a digest names a version a snapshot showed,
 * and a snapshot shows a job at zero: a job in progress, updated by every progress report, is spared
 * computing one), then the document. A value is read without copying its
 * document. The formats written before generations are still read, as generation 0: format 2, the
 * same without the generation, and format 1, without the generation and the digest.
 */
final class StoredJobFormat {
    private static final byte FORMAT = 3;
    private static final byte FORMAT_WITHOUT_GENERATION = 2;
    private static final byte FORMAT_WITHOUT_DIGEST = 1;

    private StoredJobFormat() {
    }

    /** The job store's value serde; null stays null. */
    static Serde<StoredJob> serde() {
        Serializer<StoredJob> serializer = (topic, job) -> job == null ? null : toBytes(job);
        Deserializer<StoredJob> deserializer = (topic, bytes) -> bytes == null ? null : fromBytes(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    static byte[] toBytes(StoredJob job) {
        String aliUid = job.aliUid();
        byte[] owner = aliUid == null ? null : aliUid.getBytes(StandardCharsets.UTF_8);
        long[] recentResets = job.recentResets();
        int digest = job.atStart() ? StoredJob.DIGEST_LENGTH : 0;
        byte[] bytes = new byte[1 + Long.BYTES + Integer.BYTES + Long.BYTES * recentResets.length + Integer.BYTES
                + (owner == null ? 0 : owner.length) + 1 + digest + job.documentLength()];
        bytes[0] = FORMAT;
        int at = putLong(bytes, 1, job.generation());
        at = putInt(bytes, at, recentResets.length);
        for (long reset : recentResets) {
            at = putLong(bytes, at, reset);
        }
        at = putInt(bytes, at, owner == null ? -1 : owner.length);
        if (owner != null) {
            System.arraycopy(owner, 0, bytes, at, owner.length);
            at += owner.length;
        }
        bytes[at++] = (byte) (job.atStart() ? 1 : 0);
        if (job.atStart()) {
            job.copyDigest(bytes, at);
        }
        job.copyDocument(bytes, at + digest);
        return bytes;
    }

    static StoredJob fromBytes(byte[] value) {
        byte format = value[0];
        if (format != FORMAT && format != FORMAT_WITHOUT_GENERATION && format != FORMAT_WITHOUT_DIGEST) {
            throw new IllegalArgumentException("Unknown stored job format " + format);
        }
        int at = 1;
        long generation = 0;
        if (format == FORMAT) {
            generation = getLong(value, at);
            at += Long.BYTES;
        }
        long[] resets = new long[getInt(value, at)];
        at += Integer.BYTES;
        for (int i = 0; i < resets.length; i++, at += Long.BYTES) {
            resets[i] = getLong(value, at);
        }
        int ownerLength = getInt(value, at);
        at += Integer.BYTES;
        String owner = null;
        if (ownerLength >= 0) {
            owner = new String(value, at, ownerLength, StandardCharsets.UTF_8);
            at += ownerLength;
        }
        boolean atStart = value[at] == 1;
        at++;
        if (format == FORMAT_WITHOUT_DIGEST || (format == FORMAT && !atStart)) {
            return StoredJob.ofDocument(value, at, owner, atStart, resets, generation, -1);
        }
        return StoredJob.ofDocument(value, at + StoredJob.DIGEST_LENGTH, owner, atStart, resets, generation, at);
    }

    private static int putLong(byte[] bytes, int at, long value) {
        putInt(bytes, at, (int) (value >>> 32));
        return putInt(bytes, at + Integer.BYTES, (int) value);
    }

    private static long getLong(byte[] bytes, int at) {
        return ((long) getInt(bytes, at) << 32) | (getInt(bytes, at + Integer.BYTES) & 0xFFFFFFFFL);
    }

    private static int putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
        return at + Integer.BYTES;
    }

    private static int getInt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 24 | (bytes[at + 1] & 0xFF) << 16 | (bytes[at + 2] & 0xFF) << 8 | (bytes[at + 3] & 0xFF);
    }
}
