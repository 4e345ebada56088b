package cdn.preload.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the job store holds for one job Id: the job, as its JSON document, its generation (0 when
 * first stored, plus one for each accepted reset), and the timestamps of its most recent accepted
 * resets, so that a reset costs one store write.
 *
 * <p>The job is kept as the document that snapshots carry (its 14 fields, in the order of the API
 * page's example), with its owner beside it. A reset needs nothing else: once the job's progress is
 * at zero, resetting it leaves the document as it is, and a snapshot is the RequestId followed by
 * the document's bytes ({@code streams.JobDocuments} splices the snapshots and job states). The job
 * itself is parsed only when asked for ({@link #job()}).
 *
 * <p>Counters reach a stored job only from its current generation, and never go down within one
 * ({@link #withProgress}, {@link #updatedBy}): nothing computed before a reset can undo it.
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
    private static final byte[] URL_SUBMITTED = "\"UrlSubmitted\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TASK_SUBMITTED = "\"TaskSubmitted\":".getBytes(StandardCharsets.US_ASCII);

    /** The document is {@code source} from index {@code from} to its end (read from the store without a copy). */
    private final byte[] source;
    private final int from;
    private final String aliUid;
    private final boolean atStart;
    private final long[] recentResets;
    private final long generation;
    /** The digest is {@code digestSource} from {@code digestFrom}; null until it is first asked for. */
    private byte[] digestSource;
    private int digestFrom;
    private Job job;

    /** The job at generation 0. */
    public StoredJob(Job job, long[] recentResets) {
        this(job, recentResets, 0);
    }

    public StoredJob(Job job, long[] recentResets, long generation) {
        this(Json.write(Objects.requireNonNull(job, "job")), 0, job.aliUid(), isAtStart(job), recentResets, generation);
        this.job = job;
    }

    private StoredJob(byte[] source, int from, String aliUid, boolean atStart, long[] recentResets, long generation) {
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be at least 0, got " + generation);
        }
        this.source = source;
        this.from = from;
        this.aliUid = aliUid;
        this.atStart = atStart;
        this.recentResets = recentResets == null ? NONE : recentResets;
        this.generation = generation;
    }

    private StoredJob withDigestOf(StoredJob other) {
        digestSource = other.digestSource;
        digestFrom = other.digestFrom;
        return this;
    }

    public static StoredJob of(Job job) {
        return new StoredJob(job, NONE);
    }

    /** The job at generation 0, whose document ({@link Json#write} of it) is {@code document}, written already. */
    public static StoredJob of(Job job, byte[] document) {
        return withDocument(job, document, NONE, 0);
    }

    private static StoredJob withDocument(Job job, byte[] document, long[] recentResets, long generation) {
        StoredJob stored = new StoredJob(document, 0, job.aliUid(), isAtStart(job), recentResets, generation);
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

    /** The job's generation: 0 when it was first stored, plus one for each accepted reset. */
    public long generation() {
        return generation;
    }

    /**
     * The job replaced by a newer version from the jobs topic, whose document ({@link Json#write} of
     * it) is {@code document}, as it stands: its counters too (the reset history and the generation
     * stay). See {@link #updatedBy} for counters of the jobs topic that may be stale.
     */
    public StoredJob withJob(Job newer, byte[] document) {
        return withDocument(newer, document, recentResets, generation);
    }

    /**
     * The job as a record of the jobs topic leaves it: its fields other than the counters replace
     * the stored ones; its counters, computed in {@code recordGeneration} (at most this job's),
     * merge as a progress report of that generation does ({@link #withProgress}): ignored when it is
     * an older one. {@code document} is {@link Json#write} of {@code newer}, written already.
     */
    public StoredJob updatedBy(Job newer, byte[] document, long recordGeneration) {
        if (recordGeneration > generation) {
            throw new IllegalArgumentException("generation " + recordGeneration + " is ahead of the job's " + generation);
        }
        Job stored = job();
        Integer urlSubmitted = stored.urlSubmitted();
        Integer taskSubmitted = stored.taskSubmitted();
        if (recordGeneration == generation) {
            urlSubmitted = larger(urlSubmitted, newer.urlSubmitted());
            taskSubmitted = larger(taskSubmitted, newer.taskSubmitted());
        }
        if (Objects.equals(urlSubmitted, newer.urlSubmitted()) && Objects.equals(taskSubmitted, newer.taskSubmitted())) {
            return withJob(newer, document);
        }
        Job merged = newer.withCounters(urlSubmitted, taskSubmitted);
        return withDocument(merged, Json.write(merged), recentResets, generation);
    }

    /**
     * The job with the counters of a progress report of its current generation merged in: each the
     * larger of the stored and the reported one. This very object when neither goes up.
     *
     * <p>The busiest path of all, so the document is not parsed: the two counters are found in it and
     * replaced. A document is always {@link Json#write} of a {@link Job}: no whitespace, each key
     * once, and a key's quoted name followed by a colon can be nothing else (a quote inside a string
     * value is escaped, and a string value is followed by a comma or a brace).
     */
    public StoredJob withProgress(int urlSubmitted, int taskSubmitted) {
        int urlAt = valueAt(URL_SUBMITTED);
        int urlEnd = valueEnd(urlAt);
        int taskAt = valueAt(TASK_SUBMITTED);
        int taskEnd = valueEnd(taskAt);
        Integer storedUrl = counter(urlAt, urlEnd);
        Integer storedTask = counter(taskAt, taskEnd);
        int url = storedUrl == null ? urlSubmitted : Math.max(storedUrl, urlSubmitted);
        int task = storedTask == null ? taskSubmitted : Math.max(storedTask, taskSubmitted);
        if (storedUrl != null && storedUrl == url && storedTask != null && storedTask == task) {
            return this;
        }
        byte[] first = Integer.toString(taskAt < urlAt ? task : url).getBytes(StandardCharsets.US_ASCII);
        byte[] second = Integer.toString(taskAt < urlAt ? url : task).getBytes(StandardCharsets.US_ASCII);
        int firstAt = Math.min(taskAt, urlAt);
        int firstEnd = taskAt < urlAt ? taskEnd : urlEnd;
        int secondAt = Math.max(taskAt, urlAt);
        int secondEnd = taskAt < urlAt ? urlEnd : taskEnd;
        byte[] document = new byte[source.length - from - (firstEnd - firstAt) - (secondEnd - secondAt) + first.length
                + second.length];
        int at = copy(source, from, firstAt, document, 0);
        System.arraycopy(first, 0, document, at, first.length);
        at = copy(source, firstEnd, secondAt, document, at + first.length);
        System.arraycopy(second, 0, document, at, second.length);
        copy(source, secondEnd, source.length, document, at + second.length);
        return new StoredJob(document, 0, aliUid, url == 0 && task == 0, recentResets, generation);
    }

    /** Where the value of the key {@code quotedKey} (its quoted name and the colon) starts in the document. */
    private int valueAt(byte[] quotedKey) {
        int last = source.length - quotedKey.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < quotedKey.length; j++) {
                if (source[i + j] != quotedKey[j]) {
                    continue outer;
                }
            }
            return i + quotedKey.length;
        }
        throw new IllegalStateException("No " + new String(quotedKey, StandardCharsets.US_ASCII) + " in the job's document");
    }

    /** Where a number or null that starts at {@code at} ends (a comma or the closing brace). */
    private int valueEnd(int at) {
        int end = at;
        while (source[end] != ',' && source[end] != '}') {
            end++;
        }
        return end;
    }

    /** The counter written from {@code at} to {@code end}: digits, perhaps a minus sign, or null. */
    private Integer counter(int at, int end) {
        if (source[at] == 'n') {
            return null;
        }
        return Integer.parseInt(new String(source, at, end - at, StandardCharsets.US_ASCII));
    }

    /** Copies {@code source} from {@code start} to {@code end} into {@code into} at {@code at}; where the copy ends. */
    private static int copy(byte[] source, int start, int end, byte[] into, int at) {
        System.arraycopy(source, start, into, at, end - start);
        return at + end - start;
    }

    /** The larger of a stored counter (null: none) and a written one (null: not given). */
    private static Integer larger(Integer stored, Integer written) {
        if (written == null) {
            return stored;
        }
        return stored == null || written > stored ? written : stored;
    }

    /** Whether {@code other} holds the same job document (the reset histories and generations aside). */
    public boolean sameDocument(StoredJob other) {
        return Arrays.equals(source, from, source.length, other.source, other.from, other.source.length);
    }

    /**
     * The job restarted from the beginning in its next generation, with {@code resets} as its recent
     * resets. When its progress is already at zero, the document is the same, and is neither parsed
     * nor written.
     */
    public StoredJob restarted(long[] resets) {
        if (atStart) {
            return new StoredJob(source, from, aliUid, true, resets, generation + 1).withDigestOf(this);
        }
        return new StoredJob(job().restarted(), resets, generation + 1);
    }

    /**
     * The digest of the job's document (the first {@value #DIGEST_LENGTH} bytes of its SHA-256), into
     * {@code into} at {@code at}. Computed once for each document.
     */
    public void copyDigest(byte[] into, int at) {
        digest();
        System.arraycopy(digestSource, digestFrom, into, at, DIGEST_LENGTH);
    }

    /**
     * Whether the job's document has the digest that {@code bytes} holds at {@code at}. Never for a
     * job in progress: a digest names a version a snapshot showed, and a snapshot shows a job at zero.
     */
    public boolean hasDigest(byte[] bytes, int at) {
        if (!atStart) {
            return false;
        }
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
     * The job whose document is {@code source} from {@code documentFrom} to the end, taken as it is:
     * neither copied nor parsed. Its digest, when {@code digestFrom} is not negative, is in
     * {@code source} at {@code digestFrom} (else computed when first asked for). The caller vouches
     * that the document is {@link Json#write} of a {@link Job} and that the other facts are its.
     */
    public static StoredJob ofDocument(byte[] source, int documentFrom, String aliUid, boolean atStart,
                                       long[] recentResets, long generation, int digestFrom) {
        StoredJob stored = new StoredJob(source, documentFrom, aliUid, atStart, recentResets, generation);
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
        return o instanceof StoredJob other && sameDocument(other) && Arrays.equals(recentResets, other.recentResets)
                && generation == other.generation;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(Arrays.copyOfRange(source, from, source.length)) + Arrays.hashCode(recentResets))
                + Long.hashCode(generation);
    }

    @Override
    public String toString() {
        return "StoredJob[job=" + new String(source, from, source.length - from, StandardCharsets.UTF_8) + ", recentResets="
                + Arrays.toString(recentResets) + ", generation=" + generation + "]";
    }
}
