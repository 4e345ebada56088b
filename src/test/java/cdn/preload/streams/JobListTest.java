package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cdn.preload.domain.Job;
import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListScheduledPreloadJobs as the index answers it, against a small model written from the contract:
 * the jobs of one site that one account owns, in a time window when given, newest CreatedAt first
 * then by Id, a CreatedAt that is not a time last, paged. Two production topologies play two
 * partitions (or two instances), each holding some of the jobs; every page is the merge of their parts.
 */
class JobListTest {
    private static final long[] SITES = {190007158391808L, 1L, -5L};
    /** "1001" is a prefix of "10011": an account must never list another's jobs. */
    private static final String[] ACCOUNTS = {"1001", "10011", "账户"};
    private static final String[] TIMES = {"2024-06-02T02:23:26Z", "2024-06-02T02:23:26.001Z", "2024-06-01T00:00:00Z",
        "2024-06-02T10:23:26+08:00", "1969-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "yesterday", null, ""};

    private final TopologyFixture[] partitions = {new TopologyFixture(), new TopologyFixture()};
    /** Each job as the model holds it, by Id, and which partition holds it. */
    private final Map<String, Job> model = new HashMap<>();
    private final Map<String, Integer> holder = new HashMap<>();
    private final Random random = new Random(25);
    private Instant time = TopologyFixture.T0;

    @AfterEach
    void close() {
        for (TopologyFixture partition : partitions) {
            partition.driver.close();
        }
    }

    @Test
    void everyPageOfEveryListIsTheModelsAfterJobsAreStoredMovedAndDeleted() {
        for (int i = 0; i < 400; i++) {
            int choice = random.nextInt(100);
            if (choice < 65 || model.isEmpty()) {
                put(newJob());
            } else if (choice < 85) {
                Job old = any();
                put(new Job(old.id(), "moved", pick(SITES), pick(ACCOUNTS), old.domains(), old.taskType(), old.insertWay(),
                        old.fileId(), old.urlCount(), old.urlSubmitted(), old.taskSubmitted(), old.errorInfo(),
                        old.failedFileOss(), pick(TIMES)));
            } else if (choice < 95) {
                delete(any().id());
            } else {
                put(any()); // changes nothing
            }
        }
        everyPageOfEveryListIsTheModels();
    }

    private void everyPageOfEveryListIsTheModels() {
        int lists = 0;
        for (long site : SITES) {
            for (String account : ACCOUNTS) {
                for (String start : new String[] {null, "1717200000000", "1717295006000", "-1000"}) {
                    for (String end : new String[] {null, "1717295006000", "1717295006001", "1800000000000"}) {
                        for (int size : new int[] {1, 3, 20, 500}) {
                            lists += checkEveryPage(site, account, start, end, size);
                        }
                    }
                }
            }
        }
        assertThat(lists).as("pages checked").isGreaterThan(400);
    }

    @Test
    void aListShowsTheJobAsStoredWithItsProgressAfterAReset() {
        Job job = new Job(Examples.EXAMPLE_ID, "example", 7L, "1001", null, null, null, null, 10, 6, 6, null, null,
                "2024-06-02T02:23:26Z");
        put(job);
        partitions[holder.get(job.id())].send(Examples.EXAMPLE_ID.getBytes(StandardCharsets.UTF_8),
                "{\"RequestId\":\"r1\",\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"1001\"}".getBytes(StandardCharsets.UTF_8),
                time.plusSeconds(1));
        JobList list = list(query(7, "1001", null, null, 1, 20));
        assertThat(list.jobs()).containsExactly(job.withCounters(0, 0));
        JsonNode document = ProcessorHarness.json(new String(Json.write(list), StandardCharsets.UTF_8));
        assertThat(document.fieldNames()).toIterable().containsExactly("RequestId", "TotalCount", "PageNumber", "PageSize", "Jobs");
        assertThat(document.get("Jobs").get(0).fieldNames()).toIterable().hasSize(14).doesNotContain("Generation", "RequestId");
    }

    @Test
    void aJobWithoutASiteOrAnAccountIsInNoList() {
        put(new Job(Examples.EXAMPLE_ID, "no site", null, "1001", null, null, null, null, null, null, null, null, null, null));
        put(new Job(Examples.OTHER_ID, "no owner", 7L, null, null, null, null, null, null, null, null, null, null, null));
        for (TopologyFixture partition : partitions) {
            assertThat(entries(partition)).as("only the entry that says the index is built").hasSize(1);
        }
    }

    @Test
    void jobsStoredBeforeTheIndexExistedAreIndexedOnceWhenTheirTaskStarts() {
        for (int i = 0; i < 50; i++) {
            put(newJob());
        }
        TopologyFixture partition = partitions[0];
        KeyValueStore<Bytes, byte[]> index = partition.driver.getKeyValueStore(ResetTopology.JOB_INDEX);
        KeyValueStore<String, StoredJob> jobs = partition.driver.getKeyValueStore(ResetTopology.JOB_STORE);
        List<Bytes> built = entries(partition);
        assertThat(JobIndex.buildIfNew(jobs, index)).as("built when the task started").isEqualTo(-1);
        // the store as a version without the index left it
        built.forEach(index::delete);
        long stored = holder.values().stream().filter(p -> p == 0).count();

        assertThat(JobIndex.buildIfNew(jobs, index)).isEqualTo(stored);
        assertThat(entries(partition)).containsExactlyElementsOf(built);
        everyPageOfEveryListIsTheModels();
    }

    @Test
    void aJobReadInTheMiddleOfAMoveIsNotListedWithTheFieldsOfItsNewSiteOrAccount() {
        Job job = new Job(Examples.EXAMPLE_ID, "example", 7L, "1001", null, null, null, null, 10, 6, 6, null, null,
                "2024-06-02T02:23:26Z");
        Job moved = new Job(Examples.EXAMPLE_ID, "example", 7L, "1002", null, null, null, null, 10, 6, 6, null, null,
                "2024-06-02T02:23:26Z");
        byte[] key = job.id().getBytes(StandardCharsets.UTF_8);
        // A query reads the index, then the job store; a commit that moves the job to another account may
        // land in between. Here the first partition's index holds the job as it was, the second's store as it is.
        partitions[0].putRawJob(key, Json.write(job), new RecordHeaders(), time);
        partitions[1].putRawJob(key, Json.write(moved), new RecordHeaders(), time);
        KeyValueStore<Bytes, byte[]> before = partitions[0].driver.getKeyValueStore(ResetTopology.JOB_INDEX);
        KeyValueStore<String, StoredJob> after = partitions[1].driver.getKeyValueStore(ResetTopology.JOB_STORE);

        // Not a list of 1001's jobs that shows 1002's: the change is under way, and asked again the list is whole.
        assertThatThrownBy(() -> JobIndex.scan(before, after, query(7, "1001", null, null, 1, 20)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(job.id());
    }

    @Test
    void aTasksIndexIsBuiltJustAfterItStartsAndUntilThenItsListsAreAChangeUnderWay(@TempDir Path stateDir) {
        Properties props = new Properties();
        props.putAll(partitions[0].settings.kafka());
        props.setProperty("state.dir", stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(ResetTopology.build(partitions[0].settings.topics(),
                partitions[0].settings.rateLimit(), partitions[0].settings.replayRetention()), props)) {
            driver.createInputTopic(partitions[0].settings.topics().jobs(), new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(Examples.EXAMPLE_ID.getBytes(StandardCharsets.UTF_8), Json.write(Examples.EXAMPLE_JOB));
            KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(ResetTopology.JOB_INDEX);
            KeyValueStore<String, StoredJob> jobs = driver.getKeyValueStore(ResetTopology.JOB_STORE);
            JobListQuery query = query(Examples.EXAMPLE_JOB.siteId(), Examples.EXAMPLE_UID, null, null, 1, 20);

            assertThatThrownBy(() -> JobIndex.scan(index, jobs, query)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the index is being built (its task has just started)");

            driver.advanceWallClockTime(JobIndex.BUILD_DELAY);
            assertThat(JobIndex.scan(index, jobs, query).jobs()).extracting(JobIndex.Listed::job)
                    .containsExactly(Examples.EXAMPLE_JOB);
        }
    }

    /** The index's keys, in order. */
    private static List<Bytes> entries(TopologyFixture partition) {
        List<Bytes> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = partition.driver.<Bytes, byte[]>getKeyValueStore(ResetTopology.JOB_INDEX).all()) {
            all.forEachRemaining(entry -> entries.add(entry.key));
        }
        return entries;
    }

    /** Checks pages 1 to one past the last; returns how many were checked. */
    private int checkEveryPage(long site, String account, String start, String end, int size) {
        Long startTime = start == null ? null : Long.parseLong(start);
        Long endTime = end == null ? null : Long.parseLong(end);
        if (startTime != null && endTime != null && endTime < startTime) {
            return 0;
        }
        List<Job> expected = modelList(site, account, startTime, endTime);
        int pages = (expected.size() + size - 1) / size;
        for (int page = 1; page <= pages + 1; page++) {
            JobList list = list(query(site, account, startTime, endTime, page, size));
            List<Job> expectedPage = expected.subList(Math.min(expected.size(), (page - 1) * size),
                    Math.min(expected.size(), page * size));
            assertThat(list.totalCount()).as("TotalCount of %s", list).isEqualTo(expected.size());
            assertThat(list.pageNumber()).isEqualTo(page);
            assertThat(list.pageSize()).isEqualTo(size);
            assertThat(list.jobs()).as("site %d, account %s, [%s, %s], page %d of %d", site, account, start, end, page, size)
                    .containsExactlyElementsOf(expectedPage);
        }
        return pages + 1;
    }

    /** The contract's list, from the model ({@link JobListModel}); the counters as the store holds them. */
    private List<Job> modelList(long site, String account, Long startTime, Long endTime) {
        return JobListModel.list(model.values(), site, account, startTime, endTime).stream()
                .map(job -> partitions[holder.get(job.id())].storedJob(job.id()).job())
                .toList();
    }

    private JobList list(JobListQuery query) {
        List<JobIndex.Part> parts = new ArrayList<>();
        for (TopologyFixture partition : partitions) {
            KeyValueStore<Bytes, byte[]> index = partition.driver.getKeyValueStore(ResetTopology.JOB_INDEX);
            KeyValueStore<String, StoredJob> jobs = partition.driver.getKeyValueStore(ResetTopology.JOB_STORE);
            // a part as an instance answers it, through its JSON
            JobIndex.Part part = JobIndex.scan(index, jobs, query);
            JobList answered = Json.read(Json.write(new JobList("peer", part.totalCount(), 1, 1,
                    part.jobs().stream().map(JobIndex.Listed::job).toList())), JobList.class);
            parts.add(JobIndex.part(answered));
        }
        return JobIndex.page("R", query, parts);
    }

    private static JobListQuery query(long site, String account, Long start, Long end, int page, int size) {
        return new JobListQuery(site, account, start, end, page, size);
    }

    private void put(Job job) {
        int partition = holder.computeIfAbsent(job.id(), id -> random.nextInt(partitions.length));
        time = time.plusMillis(1);
        partitions[partition].putRawJob(job.id().getBytes(StandardCharsets.UTF_8), Json.write(job), new RecordHeaders(), time);
        model.put(job.id(), job);
    }

    private void delete(String id) {
        time = time.plusMillis(1);
        partitions[holder.get(id)].putRawJob(id.getBytes(StandardCharsets.UTF_8), null, new RecordHeaders(), time);
        model.remove(id);
    }

    private Job newJob() {
        byte[] id = new byte[12];
        random.nextBytes(id);
        return new Job(HexFormat.of().formatHex(id), "job", pick(SITES), pick(ACCOUNTS), "example.com", "preload", "oss",
                null, 10, random.nextInt(5), random.nextInt(5), null, null, pick(TIMES));
    }

    private Job any() {
        List<String> ids = new ArrayList<>(model.keySet());
        ids.sort(null);
        return model.get(ids.get(random.nextInt(ids.size())));
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private long pick(long[] values) {
        return values[random.nextInt(values.length)];
    }
}
