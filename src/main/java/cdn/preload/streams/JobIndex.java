package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.StoredJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The index of the jobs by site and account ({@link ResetTopology#JOB_INDEX}), and how a list of
 * them ({@code ListScheduledPreloadJobs}) is read from it and paged.
 *
 * <p>One entry per stored job that has a {@code SiteId} and an {@code AliUid}, with an empty value;
 * its key sorts the jobs of one site and account in the list's order, so that a list is one range
 * read of the site's jobs, whatever else the store holds:
 *
 * <pre>
 * SiteId     8 bytes, big-endian, sign bit flipped (so that unsigned byte order is numeric order)
 * AliUid     4 bytes of length, then its UTF-8 bytes
 * timed      1 byte: 0 when CreatedAt is an ISO 8601 time, 1 when not (listed last)
 * CreatedAt  8 bytes: epoch milliseconds XOR Long.MAX_VALUE, big-endian (newest first); 0 when not a time
 * Id         24 bytes, ASCII (ascending)
 * </pre>
 *
 * <p>One more entry, the one-byte key {@code 00}, says that the index has been built: a store kept by
 * a version without the index is indexed once, just after its task starts ({@link #buildIfNew}); until
 * then its lists are refused as a change under way. It sorts before every job's entry and within no
 * list's range.
 *
 * <p>The last three parts are the job's {@linkplain #order(Job) place in a list}. The index is kept
 * in step with the job store by {@link JobStoreUpdater}, the one processor that changes a job's
 * site, account or creation time, in the same transaction; the other processors change counters
 * and generations, which it does not hold.
 */
public final class JobIndex {
    private static final byte TIMED = 0;
    private static final byte UNTIMED = 1;
    private static final int ID_BYTES = 24;
    /** timed, CreatedAt, Id. */
    private static final int ORDER_BYTES = 1 + Long.BYTES + ID_BYTES;
    private static final byte[] EMPTY = new byte[0];
    private static final Bytes BUILT = Bytes.wrap(new byte[] {0});
    /** How soon after a task starts its index is built when it never was (a wall-clock punctuation). */
    static final Duration BUILD_DELAY = Duration.ofMillis(10);
    private static final byte[] LAST_ID = "ffffffffffffffffffffffff".getBytes(StandardCharsets.US_ASCII);
    private static final Comparator<Listed> LIST_ORDER = (a, b) -> Arrays.compareUnsigned(a.order, b.order);

    private JobIndex() {
    }

    /** One job of a list, with its {@linkplain #order(Job) place} in it. */
    public record Listed(byte[] order, Job job) {
    }

    /**
     * A part of a list: how many jobs it has in all, and the first of them in the list's order (as
     * many as a page needs).
     */
    public record Part(long totalCount, List<Listed> jobs) {
    }

    /** The job's entry, or null when it cannot be listed (no site or no account). */
    static Bytes key(Job job) {
        if (job == null || job.siteId() == null || job.aliUid() == null) {
            return null;
        }
        byte[] prefix = prefix(job.siteId(), job.aliUid());
        byte[] key = Arrays.copyOf(prefix, prefix.length + ORDER_BYTES);
        writeOrder(key, prefix.length, createdAtMillis(job.createdAt()), job.id());
        return Bytes.wrap(key);
    }

    /**
     * Brings the index in step with a job's change from {@code before} (null: not stored) to
     * {@code after} (null: deleted): an entry moves only when the site, the account or the creation
     * time changes.
     */
    static void update(KeyValueStore<Bytes, byte[]> index, Job before, Job after) {
        if (before != null && after != null && Objects.equals(before.siteId(), after.siteId())
                && Objects.equals(before.aliUid(), after.aliUid()) && Objects.equals(before.createdAt(), after.createdAt())) {
            return; // the common update: counters, names, error info
        }
        Bytes old = key(before);
        Bytes now = key(after);
        if (old != null && !old.equals(now)) {
            index.delete(old);
        }
        if (now != null && !now.equals(old)) {
            index.put(now, EMPTY);
        }
    }

    /**
     * Indexes every job of {@code jobs} when {@code index} has not been built yet: a job store kept
     * by a version without the index, or a new one (then empty). Afterwards {@link #update} keeps it.
     *
     * @return how many jobs were indexed; -1 when the index was built already
     */
    static long buildIfNew(KeyValueStore<String, StoredJob> jobs, KeyValueStore<Bytes, byte[]> index) {
        if (index.get(BUILT) != null) {
            return -1;
        }
        long indexed = 0;
        try (KeyValueIterator<String, StoredJob> all = jobs.all()) {
            while (all.hasNext()) {
                Bytes key = key(all.next().value.job());
                if (key != null) {
                    index.put(key, EMPTY);
                    indexed++;
                }
            }
        }
        index.put(BUILT, EMPTY);
        return indexed;
    }

    /** A job's place in a list: newest CreatedAt first, then by Id; a CreatedAt that is not a time, last. */
    public static byte[] order(Job job) {
        byte[] order = new byte[ORDER_BYTES];
        writeOrder(order, 0, createdAtMillis(job.createdAt()), job.id() == null ? "" : job.id());
        return order;
    }

    /** A CreatedAt as epoch milliseconds; null when it is not an ISO 8601 time with a zone or offset. */
    public static Long createdAtMillis(String createdAt) {
        if (createdAt == null) {
            return null;
        }
        try {
            return Instant.parse(createdAt).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    /**
     * This partition's part of the list: its count, and its first {@link JobListQuery#throughPage()}
     * jobs, as the job store holds them.
     *
     * @throws IllegalStateException when the index is not built yet; or when an entry's job is not in
     *         the job store, or is stored with another site, account or creation time: the index and the
     *         job store are read one after the other, and a change committed in between is under way.
     *         Asked again, the list is whole
     */
    public static Part scan(ReadOnlyKeyValueStore<Bytes, byte[]> index, ReadOnlyKeyValueStore<String, StoredJob> jobs,
                            JobListQuery query) {
        if (index.get(BUILT) == null) {
            throw new IllegalStateException("the index is being built (its task has just started)");
        }
        long wanted = query.throughPage();
        byte[] prefix = prefix(query.siteId(), query.aliUid());
        List<byte[]> keys = new ArrayList<>();
        long count = 0;
        boolean timeFilter = query.startTime() != null || query.endTime() != null;
        byte[] from = bound(prefix, TIMED, query.endTime() == null ? Long.MAX_VALUE : query.endTime(), false);
        byte[] to = bound(prefix, TIMED, query.startTime() == null ? Long.MIN_VALUE : query.startTime(), true);
        count += collect(index, from, to, keys, wanted);
        if (!timeFilter) {
            count += collect(index, bound(prefix, UNTIMED, 0, false), bound(prefix, UNTIMED, 0, true), keys, wanted);
        }
        List<Listed> listed = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            String id = new String(key, key.length - ID_BYTES, ID_BYTES, StandardCharsets.US_ASCII);
            StoredJob stored = jobs.get(id);
            if (stored == null) {
                throw new IllegalStateException("job " + id + " is indexed but not stored (a change under way)");
            }
            if (!Bytes.wrap(key).equals(key(stored.job()))) {
                throw new IllegalStateException("job " + id + " is stored with another site, account or creation time"
                        + " than it is indexed with (a change under way)");
            }
            listed.add(new Listed(Arrays.copyOfRange(key, prefix.length, key.length), stored.job()));
        }
        return new Part(count, listed);
    }

    /** The parts as one: their counts added, their jobs merged in the list's order, the first {@code wanted} of them. */
    public static Part merge(List<Part> parts, long wanted) {
        long count = 0;
        List<Listed> all = new ArrayList<>();
        for (Part part : parts) {
            count += part.totalCount();
            all.addAll(part.jobs());
        }
        all.sort(LIST_ORDER);
        return new Part(count, all.size() > wanted ? List.copyOf(all.subList(0, (int) wanted)) : all);
    }

    /** The query's page of the whole list, whose parts are {@code parts}. */
    public static JobList page(String requestId, JobListQuery query, List<Part> parts) {
        Part whole = merge(parts, query.throughPage());
        List<Listed> jobs = whole.jobs();
        List<Job> page = new ArrayList<>(query.pageSize());
        for (long i = query.beforePage(); i < jobs.size(); i++) {
            page.add(jobs.get((int) i).job());
        }
        return new JobList(requestId, whole.totalCount(), query.pageNumber(), query.pageSize(), page);
    }

    /** A part that a peer answered with (its jobs in the list's order). */
    public static Part part(JobList answered) {
        List<Listed> jobs = new ArrayList<>(answered.jobs().size());
        for (Job job : answered.jobs()) {
            jobs.add(new Listed(order(job), job));
        }
        return new Part(answered.totalCount(), jobs);
    }

    /** Counts the entries from {@code from} to {@code to}, keeping the first ones until {@code keys} holds {@code wanted}. */
    private static long collect(ReadOnlyKeyValueStore<Bytes, byte[]> index, byte[] from, byte[] to, List<byte[]> keys,
                                long wanted) {
        long count = 0;
        try (KeyValueIterator<Bytes, byte[]> entries = index.range(Bytes.wrap(from), Bytes.wrap(to))) {
            while (entries.hasNext()) {
                KeyValue<Bytes, byte[]> entry = entries.next();
                if (keys.size() < wanted) {
                    keys.add(entry.key.get());
                }
                count++;
            }
        }
        return count;
    }

    private static byte[] prefix(long siteId, String aliUid) {
        byte[] account = aliUid.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + Integer.BYTES + account.length)
                .putLong(siteId ^ Long.MIN_VALUE).putInt(account.length).put(account).array();
    }

    /** The first (or, {@code last}, the last) key of the site and account's entries at this time. */
    private static byte[] bound(byte[] prefix, byte timed, long millis, boolean last) {
        byte[] key = Arrays.copyOf(prefix, prefix.length + ORDER_BYTES);
        key[prefix.length] = timed;
        ByteBuffer.wrap(key, prefix.length + 1, Long.BYTES).putLong(timed == TIMED ? millis ^ Long.MAX_VALUE : 0);
        if (last) {
            System.arraycopy(LAST_ID, 0, key, key.length - ID_BYTES, ID_BYTES);
        }
        return key;
    }

    private static void writeOrder(byte[] into, int at, Long createdAt, String id) {
        into[at] = createdAt == null ? UNTIMED : TIMED;
        ByteBuffer.wrap(into, at + 1, Long.BYTES).putLong(createdAt == null ? 0 : createdAt ^ Long.MAX_VALUE);
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(idBytes, 0, into, at + 1 + Long.BYTES, Math.min(idBytes.length, ID_BYTES));
    }
}
