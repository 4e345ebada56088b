package cdn.preload.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the job store holds for one job Id: the job, as its JSON document, and the timestamps of its
 * most recent accepted resets, so that a reset costs one store write.
 *
 * <p>The job is kept as the document that snapshots carry (its 14 fields, in the order of the API
 * page's example), with its owner beside it. A reset needs nothing else: once the job's progress is
 * at zero, resetting it leaves the document as it is, and a snapshot is the RequestId followed by
 * the document's bytes. The job itself is parsed only when asked for ({@link #job()}).
 *
 * <p>In the store it is {@link #toBytes() binary}: a format byte, the resets, the owner, a flag
 * telling whether the progress is at zero, then the document. A value that starts with '{' is the
 * JSON form written by earlier versions, and is still read.
 */
public final class StoredJob {
    private static final byte FORMAT = 1;
    private static final long[] NONE = new long[0];
    private static final byte[] SNAPSHOT_START = "{\"RequestId\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The document is {@code source} from index {@code from} to its end (read from the store without a copy). */
    private final byte[] source;
    private final int from;
    private final String aliUid;
    private final boolean atStart;
    private final long[] recentResets;
    private Job job;

    public StoredJob(Job job, long[] recentResets) {
        this(Json.write(Objects.requireNonNull(job, "job")), 0, job.aliUid(), isAtStart(job), recentResets);
        this.job = job;
    }

    private StoredJob(byte[] source, int from, String aliUid, boolean atStart, long[] recentResets) {
        this.source = source;
        this.from = from;
        this.aliUid = aliUid;
        this.atStart = atStart;
        this.recentResets = recentResets == null ? NONE : recentResets;
    }

    public static StoredJob of(Job job) {
        return new StoredJob(job, NONE);
    }

    private static boolean isAtStart(Job job) {
        return Integer.valueOf(0).equals(job.urlSubmitted()) && Integer.valueOf(0).equals(job.taskSubmitted());
    }

    /** The job, parsed from its document on first use. */
    public Job job() {
        Job parsed = job;
        if (parsed == null) {
            parsed = Json.read(source, from, source.length - from, Job.class);
            job = parsed;
        }
        return parsed;
    }

    /** The account that owns the job; null when the job has none. */
    public String aliUid() {
        return aliUid;
    }

    public long[] recentResets() {
        return recentResets;
    }

    /** The job replaced by a newer version from the jobs topic; the reset history stays. */
    public StoredJob withJob(Job newer) {
        return new StoredJob(newer, recentResets);
    }

    /** Whether {@code other} holds the same job document (the reset histories aside). */
    public boolean sameDocument(StoredJob other) {
        return Arrays.equals(source, from, source.length, other.source, other.from, other.source.length);
    }

    /**
     * The job restarted from the beginning, with {@code resets} as its recent resets. When its
     * progress is already at zero, the document is the same, and is neither parsed nor written.
     */
    public StoredJob restarted(long[] resets) {
        return atStart ? new StoredJob(source, from, aliUid, true, resets) : new StoredJob(job().restarted(), resets);
    }

    /**
     * The snapshot answering {@code requestId}: the API's success response, the RequestId then the
     * job's 14 fields. The same bytes as the {@link Snapshot} written as JSON.
     */
    public byte[] snapshot(String requestId) {
        byte[] quoted = quoted(requestId);
        int documentLength = source.length - from;
        byte[] snapshot = new byte[SNAPSHOT_START.length + quoted.length + 2 + documentLength - 1];
        System.arraycopy(SNAPSHOT_START, 0, snapshot, 0, SNAPSHOT_START.length);
        int at = SNAPSHOT_START.length;
        System.arraycopy(quoted, 0, snapshot, at, quoted.length);
        at += quoted.length;
        snapshot[at++] = '"';
        snapshot[at++] = ',';
        System.arraycopy(source, from + 1, snapshot, at, documentLength - 1); // the document without its '{'
        return snapshot;
    }

    /** The string's UTF-8 bytes as they stand between the quotes of a JSON string. */
    private static byte[] quoted(String text) {
        byte[] plain = new byte[text.length()];
        for (int i = 0; i < plain.length; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                byte[] written = Json.write(text); // escapes, or more than ASCII: as Jackson writes it
                return Arrays.copyOfRange(written, 1, written.length - 1);
            }
            plain[i] = (byte) c;
        }
        return plain;
    }

    /** The binary form kept in the store. */
    public byte[] toBytes() {
        byte[] owner = aliUid == null ? null : aliUid.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(1 + Integer.BYTES + Long.BYTES * recentResets.length + Integer.BYTES
                + (owner == null ? 0 : owner.length) + 1 + source.length - from);
        bytes.put(FORMAT).putInt(recentResets.length);
        for (long reset : recentResets) {
            bytes.putLong(reset);
        }
        bytes.putInt(owner == null ? -1 : owner.length);
        if (owner != null) {
            bytes.put(owner);
        }
        return bytes.put((byte) (atStart ? 1 : 0)).put(source, from, source.length - from).array();
    }

    /** Reads {@link #toBytes()}, or the JSON form of earlier versions. */
    public static StoredJob fromBytes(byte[] value) {
        if (value[0] == '{') {
            Earlier earlier = Json.read(value, Earlier.class);
            return new StoredJob(earlier.job(), earlier.recentResets());
        }
        if (value[0] != FORMAT) {
            throw new IllegalArgumentException("Unknown stored job format " + value[0]);
        }
        ByteBuffer bytes = ByteBuffer.wrap(value, 1, value.length - 1);
        long[] resets = new long[bytes.getInt()];
        for (int i = 0; i < resets.length; i++) {
            resets[i] = bytes.getLong();
        }
        int ownerLength = bytes.getInt();
        String owner = null;
        if (ownerLength >= 0) {
            owner = new String(value, bytes.position(), ownerLength, StandardCharsets.UTF_8);
            bytes.position(bytes.position() + ownerLength);
        }
        boolean atStart = bytes.get() == 1;
        return new StoredJob(value, bytes.position(), owner, atStart, resets);
    }

    /** The JSON form of the store's values before the binary one. */
    private record Earlier(@JsonProperty("Job") Job job, @JsonProperty("Resets") long[] recentResets) {
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredJob other && sameDocument(other) && Arrays.equals(recentResets, other.recentResets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(Arrays.copyOfRange(source, from, source.length)) + Arrays.hashCode(recentResets);
    }

    @Override
    public String toString() {
        return "StoredJob[job=" + new String(source, from, source.length - from, StandardCharsets.UTF_8) + ", recentResets="
                + Arrays.toString(recentResets) + "]";
    }
}
