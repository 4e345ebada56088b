package cdn.preload.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * <p>Each version of the job's document has a {@link #digest() digest}: the answers remembered for
 * replays name the version they showed by it, so that a job can change without its remembered
 * snapshots being touched.
 *
 * <p>The job store keeps it in a binary form of its own: see {@code streams.StoredJobFormat}.
 */
public final class StoredJob {
    /** The bytes of a document's digest: the first half of its SHA-256. */
    public static final int DIGEST_LENGTH = 16;
    private static final long[] NONE = new long[0];
    private static final byte[] SNAPSHOT_START = "{\"RequestId\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The document is {@code source} from index {@code from} to its end (read from the store without a copy). */
    private final byte[] source;
    private final int from;
    private final String aliUid;
    private final boolean atStart;
    private final long[] recentResets;
    /** The digest is {@code digestSource} from {@code digestFrom}; null until it is first asked for. */
    private byte[] digestSource;
    private int digestFrom;
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

    private StoredJob withDigestOf(StoredJob other) {
        digestSource = other.digestSource;
        digestFrom = other.digestFrom;
        return this;
    }

    public static StoredJob of(Job job) {
        return new StoredJob(job, NONE);
    }

    /** The job, whose document ({@link Json#write} of it) is {@code document}, written already. */
    public static StoredJob of(Job job, byte[] document) {
        return withDocument(job, document, NONE);
    }

    private static StoredJob withDocument(Job job, byte[] document, long[] recentResets) {
        StoredJob stored = new StoredJob(document, 0, job.aliUid(), isAtStart(job), recentResets);
        stored.job = job;
        return stored;
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

    /**
     * Whether the job's progress is at zero: the only state a snapshot can show (a reset sets
     * {@code UrlSubmitted} and {@code TaskSubmitted} to 0).
     */
    public boolean atStart() {
        return atStart;
    }

    public long[] recentResets() {
        return recentResets;
    }

    /** The job replaced by a newer version from the jobs topic; the reset history stays. */
    public StoredJob withJob(Job newer) {
        return new StoredJob(newer, recentResets);
    }

    /** As {@link #withJob(Job)}, with the newer job's document written already. */
    public StoredJob withJob(Job newer, byte[] document) {
        return withDocument(newer, document, recentResets);
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
        return atStart ? new StoredJob(source, from, aliUid, true, resets).withDigestOf(this)
                : new StoredJob(job().restarted(), resets);
    }

    /**
     * The digest of the job's document (the first {@value #DIGEST_LENGTH} bytes of its SHA-256), into
     * {@code into} at {@code at}. Computed once for each document.
     */
    public void copyDigest(byte[] into, int at) {
        digest();
        System.arraycopy(digestSource, digestFrom, into, at, DIGEST_LENGTH);
    }

    /** Whether the job's document has the digest that {@code bytes} holds at {@code at}. */
    public boolean hasDigest(byte[] bytes, int at) {
        digest();
        return Arrays.equals(digestSource, digestFrom, digestFrom + DIGEST_LENGTH, bytes, at, at + DIGEST_LENGTH);
    }

    private void digest() {
        if (digestSource == null) {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                sha256.update(source, from, source.length - from);
                digestSource = sha256.digest();
                digestFrom = 0;
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-256
            }
        }
    }

    /**
     * The snapshot answering {@code requestId}: the API's success response, the RequestId then the
     * job's 14 fields. The same bytes as the {@link Snapshot} written as JSON.
     */
    public byte[] snapshot(String requestId) {
        return snapshot(source, from, requestId);
    }

    /** The snapshot answering {@code requestId} with the job document that {@code source} holds from {@code from}. */
    public static byte[] snapshot(byte[] source, int from, String requestId) {
        byte[] escaped = isPlain(requestId) ? null : escaped(requestId);
        int quotedLength = escaped == null ? requestId.length() : escaped.length;
        int documentLength = source.length - from;
        byte[] snapshot = new byte[SNAPSHOT_START.length + quotedLength + 2 + documentLength - 1];
        System.arraycopy(SNAPSHOT_START, 0, snapshot, 0, SNAPSHOT_START.length);
        int at = SNAPSHOT_START.length;
        if (escaped == null) {
            for (int i = 0; i < quotedLength; i++) {
                snapshot[at + i] = (byte) requestId.charAt(i);
            }
        } else {
            System.arraycopy(escaped, 0, snapshot, at, quotedLength);
        }
        at += quotedLength;
        snapshot[at++] = '"';
        snapshot[at++] = ',';
        System.arraycopy(source, from + 1, snapshot, at, documentLength - 1); // the document without its '{'
        return snapshot;
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

    /**
     * A stored job as the store's codec reads it, without a copy: its document is {@code source} from
     * {@code documentFrom} to the end, and its digest, when {@code digestFrom} is not negative, is in
     * {@code source} at {@code digestFrom} (else computed when first asked for).
     */
    public static StoredJob restore(byte[] source, int documentFrom, String aliUid, boolean atStart, long[] recentResets,
                                    int digestFrom) {
        StoredJob stored = new StoredJob(source, documentFrom, aliUid, atStart, recentResets);
        if (digestFrom >= 0) {
            stored.digestSource = source;
            stored.digestFrom = digestFrom;
        }
        return stored;
    }

    /** The length of the job's document. */
    public int documentLength() {
        return source.length - from;
    }

    /** Copies the job's document into {@code into} at {@code at}. */
    public void copyDocument(byte[] into, int at) {
        System.arraycopy(source, from, into, at, source.length - from);
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
