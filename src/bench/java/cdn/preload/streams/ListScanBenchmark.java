package cdn.preload.streams;

import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.StoredJob;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What a list costs without the index, against with it, in one process and on the same store: the
 * jobs are given to the production topology in a TopologyTestDriver (its stores on RocksDB, the
 * processor's RocksDB settings), and one site's first page is found three ways, each ending in the
 * same page ({@link JobIndex#page}):
 *
 * <ul>
 *   <li><b>index</b>: {@link JobIndex#scan}, as an instance reads its part of a list;</li>
 *   <li><b>full scan, account first</b>: every job of the store read in turn ({@code all()}, each
 *       value decoded from the store's format), its owner compared first (kept in the stored form),
 *       and only the account's jobs parsed to compare their site: the least a list without an index
 *       can do;</li>
 *   <li><b>full scan, every job parsed</b>: the same, each job's document parsed to read its site
 *       and account.</li>
 * </ul>
 *
 * <p>Nothing of HTTP or of the other instance is in these figures: {@code ListBenchmark} measures
 * those. Run by {@code ListBenchmark} (bin/bench-list) on the jobs of the instance that holds fewer
 * of the listed site's jobs.
 */
public final class ListScanBenchmark {
    /** A job to store: its Id and its document as published. */
    public record Job(String id, byte[] json) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Iterable<Job> jobs;
    private final JobListQuery query;
    private final int indexRequests = Integer.getInteger("bench.list.scan.index", 2_000);
    private final int scans = Integer.getInteger("bench.list.scan.scans", 10);

    public ListScanBenchmark(Iterable<Job> jobs, long siteId, String aliUid, int pageSize) {
        this.jobs = jobs;
        this.query = new JobListQuery(siteId, aliUid, null, null, 1, pageSize);
    }

    /** Stores the jobs, then times each way; prints a line for each to {@code out}; returns the figures. */
    public ObjectNode run(Consumer<String> out) {
        ObjectNode results = JSON.createObjectNode();
        try (TopologyFixture fixture = new TopologyFixture()) {
            TestOutputTopic<byte[], byte[]> states = fixture.driver.createOutputTopic(fixture.topics().state(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            long loading = System.nanoTime();
            int stored = 0;
            for (Job job : jobs) {
                fixture.putRawJob(job.id().getBytes(StandardCharsets.US_ASCII), job.json(), TopologyFixture.T0);
                if (++stored % 10_000 == 0) {
                    states.readRecordsToList(); // the job states, not kept
                }
            }
            states.readRecordsToList();
            double loadSeconds = (System.nanoTime() - loading) / 1e9;
            KeyValueStore<Bytes, byte[]> index = fixture.driver.getKeyValueStore(ResetTopology.JOB_INDEX);
            KeyValueStore<String, StoredJob> store = fixture.driver.getKeyValueStore(ResetTopology.JOB_STORE);
            results.put("jobs", stored).put("loadSeconds", round(loadSeconds, 1));
            out.accept(String.format(Locale.ROOT, "stored %,d jobs through the topology in %.1f s", stored, loadSeconds));

            JobList expected = byIndex(index, store);
            results.put("siteJobs", expected.totalCount());
            Histogram indexed = new Histogram(3);
            for (int i = 0; i < indexRequests / 10 + indexRequests; i++) {
                long start = System.nanoTime();
                JobList list = byIndex(index, store);
                long nanos = System.nanoTime() - start;
                same(expected, list, "index");
                if (i >= indexRequests / 10) {
                    indexed.recordValue(nanos);
                }
            }
            results.set("index", JSON.createObjectNode().put("lists", indexed.getTotalCount())
                    .put("p50ms", ms(indexed.getValueAtPercentile(50))).put("p99ms", ms(indexed.getValueAtPercentile(99)))
                    .put("maxms", ms(indexed.getMaxValue())));
            out.accept(String.format(Locale.ROOT, "index: %d lists, p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d jobs in the list)",
                    indexed.getTotalCount(), indexed.getValueAtPercentile(50) / 1e6, indexed.getValueAtPercentile(99) / 1e6,
                    indexed.getMaxValue() / 1e6, expected.totalCount()));

            results.set("scanAccountFirst", scans("full scan, account first", store, expected, true, out));
            results.set("scanParsed", scans("full scan, every job parsed", store, expected, false, out));
        }
        return results;
    }

    private JobList byIndex(KeyValueStore<Bytes, byte[]> index, KeyValueStore<String, StoredJob> store) {
        return JobIndex.page("bench", query, List.of(JobIndex.scan(index, store, query)));
    }

    /** Two scans to warm up, then {@link #scans} timed; each must find the index's page. */
    private ObjectNode scans(String name, KeyValueStore<String, StoredJob> store, JobList expected, boolean accountFirst,
                             Consumer<String> out) {
        double[] millis = new double[scans];
        for (int i = -2; i < scans; i++) {
            long start = System.nanoTime();
            JobList list = scan(store, accountFirst);
            long nanos = System.nanoTime() - start;
            same(expected, list, name);
            if (i >= 0) {
                millis[i] = nanos / 1e6;
            }
        }
        Arrays.sort(millis);
        ObjectNode row = JSON.createObjectNode().put("scans", scans).put("minms", round(millis[0], 1))
                .put("medianms", round(millis[scans / 2], 1)).put("maxms", round(millis[scans - 1], 1));
        out.accept(String.format(Locale.ROOT, "%s: %d scans, min %.1f ms, median %.1f ms, max %.1f ms", name, scans,
                millis[0], millis[scans / 2], millis[scans - 1]));
        return row;
    }

    /** The page, from every job of the store. */
    private JobList scan(KeyValueStore<String, StoredJob> store, boolean accountFirst) {
        long count = 0;
        List<JobIndex.Listed> found = new ArrayList<>();
        try (KeyValueIterator<String, StoredJob> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, StoredJob> entry = all.next();
                StoredJob stored = entry.value;
                if (accountFirst && !query.aliUid().equals(stored.aliUid())) {
                    continue;
                }
                cdn.preload.domain.Job job = stored.job();
                if (job.siteId() != null && job.siteId() == query.siteId() && query.aliUid().equals(job.aliUid())) {
                    count++;
                    found.add(new JobIndex.Listed(JobIndex.order(job), job));
                }
            }
        }
        return JobIndex.page("bench", query, List.of(new JobIndex.Part(count, found)));
    }

    private static void same(JobList expected, JobList list, String how) {
        if (list.totalCount() != expected.totalCount()
                || !list.jobs().stream().map(cdn.preload.domain.Job::id).toList()
                        .equals(expected.jobs().stream().map(cdn.preload.domain.Job::id).toList())) {
            throw new IllegalStateException(how + " found another list: " + list.totalCount() + " jobs, not "
                    + expected.totalCount());
        }
    }

    private static double ms(long nanos) {
        return round(nanos / 1e6, 3);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
