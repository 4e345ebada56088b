package cdn.preload.streams;

import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.Json;
import cdn.preload.streams.HttpApiIT.Reply;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.TestDirs;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * ListScheduledPreloadJobs across two instances of the processor on a real broker: the fixture's,
 * in this JVM, and the runnable jar in a child JVM, each holding some of the partitions of the jobs
 * topic, all of which hold jobs. Every page of every list, asked of either instance, is the one a
 * small model written from the contract gives; with the child killed (SIGKILL: it does not leave
 * the group), the survivor answers 503 with Retry-After until the child's partitions have moved to
 * it, never a partial page, and then the whole list again.
 */
class JobListIT extends RealProcessorTest {
    private static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);
    /** A child JVM starts, joins and settles more slowly than the fixture's waits allow on a busy machine. */
    private static final Duration SETTLE = Duration.ofMinutes(2);
    private static final long[] SITES = {190007158391808L, 7L, 42L};
    /** "1001" is a prefix of "10011": neither may list the other's jobs. */
    private static final String[] ACCOUNTS = {"1001", "10011"};
    /** Noise: jobs on the same sites that another account owns. */
    private static final String STRANGER = "2002";
    private static final Instant T = Instant.parse("2024-06-02T00:00:00Z");
    private static final String[] UNTIMED = {"yesterday", null, ""};
    /** [StartTime, EndTime] as query parameters, null: not given. */
    private static final Long[][] WINDOWS = {{null, null}, {ms(10), ms(20)}, {ms(15), null}, {null, ms(5)}};
    private static final int[] PAGE_SIZES = {1, 3, 20};
    private static final String LIST_UNAVAILABLE = "The list cannot be given whole right now: an instance that holds some"
            + " of the jobs is starting, moving partitions or not answering; try again.";

    /** Each job as last published, by Id. */
    private final Map<String, Job> model = new LinkedHashMap<>();
    /** The partition of the jobs topic that each job's last record is on. */
    private final Map<String, Integer> partitionOf = new HashMap<>();

    @Test
    void everyPageOfEveryListIsTheModelsWhicheverOfTwoInstancesIsAsked() throws Exception {
        try (SecondInstance second = startSecondInstance()) {
            publishJobsAndSettle(second);

            int pages = 0;
            for (URI instance : List.of(fixture.http(""), second.http())) {
                pages += checkEveryList(instance);
            }
            assertThat(pages).as("pages checked").isGreaterThan(600);
        }
    }

    @Test
    void aRefusedListIsAnsweredWithItsWholeErrorDocument() {
        String parameters = "SiteId=7&AliUid=1001";
        ObjectNode invalid = (ObjectNode) expectedError("x", null, ErrorCode.INVALID_PARAMETER);
        assertRefused(list(fixture.http(""), "SiteId=abc&AliUid=1001"), 400,
                invalid.put("Message", "SiteId must be an integer, got 'abc'.").put("Description", JobListQuery.PARAMETERS));
        assertRefused(list(fixture.http(""), parameters + "&PageSize=501"), 400, invalid.deepCopy()
                .put("Message", "PageSize must be an integer from 1 to 500, got 501."));
        assertRefused(list(fixture.http(""), parameters + "&StartTime=2000&EndTime=1999"), 400,
                expectedError("x", null, ErrorCode.INVALID_END_TIME_MISMATCH));
        assertRefused(list(fixture.http(""), "SiteId=7"), 403, expectedError("x", null, ErrorCode.INVALID_UID_PERMISSION_DENIED));

        Reply anonymous = HttpApiIT.get(fixture.http("/jobs?" + parameters));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.response().headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"preload-job-processor\"");
        assertThat(anonymous.json()).isEqualTo(json("{\"error\":\"Job queries need the header Authorization: Bearer <HTTP_AUTH_TOKEN>.\"}"));
    }

    @Test
    void aSurvivorAnswers503UntilTheKilledInstancesPartitionsHaveMovedThenTheWholeList() throws Exception {
        try (SecondInstance second = startSecondInstance()) {
            publishJobsAndSettle(second);
            URI survivor = fixture.http("");
            Set<Integer> theirs = holders().get(new HostInfo("127.0.0.1", second.http().getPort()));
            List<Job> asked = modelList(SITES[0], ACCOUNTS[0], null, null);
            assertThat(asked).as("jobs of the list asked that the killed instance holds")
                    .anyMatch(job -> theirs.contains(partitionOf.get(job.id())));
            String query = "SiteId=" + SITES[0] + "&AliUid=" + ACCOUNTS[0] + "&PageSize=500";

            second.process().kill(); // SIGKILL: no commit, no leaving the group; the broker expires it after its session timeout
            assertThat(second.process().awaitExit(Duration.ofSeconds(30))).as("the exit code of a SIGKILL").isEqualTo(137);
            List<Reply> replies = new ArrayList<>();
            Wait.atMost(SETTLE, Duration.ofMillis(100)).alias("a list from the survivor that is not a 503").until(() -> {
                replies.add(list(survivor, query));
                return replies.get(replies.size() - 1).status() != 503;
            });

            Reply first = replies.get(replies.size() - 1);
            assertThat(first.status()).as("the first answer after the kill that is not a 503: %s", first.body()).isEqualTo(200);
            assertPage(first, asked, 1, 500);
            List<Reply> unavailable = replies.subList(0, replies.size() - 1);
            assertThat(unavailable).as("503s before the whole list came back").isNotEmpty().allSatisfy(reply -> {
                assertThat(reply.response().headers().firstValue("Retry-After")).hasValue("1");
                assertThat(reply.json()).isEqualTo(json(Json.MAPPER.createObjectNode().put("error", LIST_UNAVAILABLE).toString()));
            });
            assertThat(holders()).as("the survivor holds every partition").containsOnlyKeys(new HostInfo("127.0.0.1", survivor.getPort()))
                    .containsValue(allPartitions());
            checkEveryList(survivor);
        }
    }

    /**
     * Every page, from the first to one past the last, of every list of each site for each account
     * (the stranger's too), in each time window, in each page size; returns how many were checked.
     */
    private int checkEveryList(URI instance) {
        int pages = 0;
        for (long site : SITES) {
            for (String account : List.of(ACCOUNTS[0], ACCOUNTS[1], STRANGER)) {
                for (Long[] window : WINDOWS) {
                    List<Job> expected = modelList(site, account, window[0], window[1]);
                    for (int size : PAGE_SIZES) {
                        int last = (expected.size() + size - 1) / size;
                        for (int page = 1; page <= last + 1; page++) {
                            String query = "SiteId=" + site + "&AliUid=" + account + "&PageNumber=" + page + "&PageSize=" + size
                                    + (window[0] == null ? "" : "&StartTime=" + window[0])
                                    + (window[1] == null ? "" : "&EndTime=" + window[1]);
                            Reply reply = list(instance, query);
                            assertThat(reply.status()).as("%s?%s: %s", instance, query, reply.body()).isEqualTo(200);
                            assertPage(reply, expected, page, size);
                            pages++;
                        }
                    }
                }
            }
        }
        return pages;
    }

    /** The whole answer: a RequestId, the list's count, the page asked, and the page's jobs as published. */
    private static void assertPage(Reply reply, List<Job> list, int page, int size) {
        assertThat(reply.json().path("RequestId").asText()).matches("[0-9A-F-]{36}");
        assertThat(answer(reply)).as("page %d of %d: %s", page, size, reply.body()).isEqualTo(expectedPage(list, page, size));
    }

    /** Page {@code page} of {@code size} of {@code list}, as an answer with the RequestId x. */
    private static JsonNode expectedPage(List<Job> list, int page, int size) {
        List<Job> jobs = list.subList(Math.min(list.size(), (page - 1) * size), Math.min(list.size(), page * size));
        return json(new String(Json.write(new JobList("x", list.size(), page, size, jobs)), StandardCharsets.UTF_8));
    }

    /** The answer's document, with the RequestId x. */
    private static JsonNode answer(Reply reply) {
        return ((ObjectNode) reply.json()).put("RequestId", "x");
    }

    private static void assertRefused(Reply reply, int status, JsonNode expected) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.json().path("RequestId").asText()).matches("[0-9A-F-]{36}");
        assertThat(answer(reply)).isEqualTo(expected);
    }

    /** The contract's list from the model ({@link JobListModel}): the site's jobs that the account owns, in the window. */
    private List<Job> modelList(long site, String account, Long start, Long end) {
        return JobListModel.list(model.values(), site, account, start, end);
    }

    private static long ms(int minutes) {
        return T.plus(Duration.ofMinutes(minutes)).toEpochMilli();
    }

    private Reply list(URI instance, String query) {
        return HttpApiIT.request(instance.resolve("/jobs?" + query), "GET", fixture.token());
    }

    /**
     * The runnable jar, in a JVM of its own, as a second instance of the fixture's processor: its own
     * state and HTTP port, and a session timeout of 6 s (the broker's least) so that once killed, its
     * partitions move within seconds.
     */
    private SecondInstance startSecondInstance() throws Exception {
        Map<String, String> env = new HashMap<>(fixture.env);
        int port = LocalKafka.freePort();
        Path stateDir = TestDirs.create("preload-list-second");
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_STATE_DIR", stateDir.toString());
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        env.put("KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
        Path log = Path.of("target", "job-list-it", env.get("KAFKA_APPLICATION_ID") + "-second.log");
        return new SecondInstance(ChildProcess.java(List.of("-Xmx384m", "-jar", Path.of("target", "preload-job-processor.jar").toString()))
                .name("second instance").environment(env).logTo(log).start(), URI.create("http://127.0.0.1:" + port), stateDir);
    }

    /** The second instance: its process, its HTTP interface and its state directory. */
    private record SecondInstance(ChildProcess process, URI http, Path stateDir) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
            TestBroker.delete(stateDir);
        }
    }

    /**
     * Publishes the jobs (three sites, two accounts and a stranger, some without a time, one moved
     * to another site and owner, one deleted), waits until both instances have settled, each
     * holding some partitions, and answer the whole list of every site and account.
     */
    private void publishJobsAndSettle(SecondInstance second) {
        Random random = new Random(4_2024);
        for (int i = 0; i < 72; i++) {
            byte[] id = new byte[12];
            random.nextBytes(id);
            String createdAt = i % 8 == 5 ? UNTIMED[(i / 8) % UNTIMED.length]
                    : T.plus(Duration.ofMinutes(random.nextInt(30))).toString();
            publish(new Job(HexFormat.of().formatHex(id), "job-" + i, SITES[i % 3], i % 7 == 6 ? STRANGER : ACCOUNTS[(i / 3) % 2],
                    "d" + i + ".example.com", "preload", i % 2 == 0 ? "oss" : "textBox", "file-" + i, 10 + i, i % 5, i % 3,
                    i % 4 == 0 ? null : "invalid domain:" + i + ".test", "oss://failed/" + i, createdAt));
        }
        List<Job> published = List.copyOf(model.values());
        Job moved = published.get(0);
        publish(new Job(moved.id(), "moved", SITES[2], ACCOUNTS[1], moved.domains(), moved.taskType(), moved.insertWay(),
                moved.fileId(), moved.urlCount(), moved.urlSubmitted(), moved.taskSubmitted(), moved.errorInfo(),
                moved.failedFileOss(), T.plus(Duration.ofMinutes(12)).toString()));
        String deleted = published.get(1).id();
        fixture.deleteJob(deleted, fixture.t0());
        model.remove(deleted);
        assertThat(new TreeSet<>(model.keySet().stream().map(partitionOf::get).toList()))
                .as("the partitions of the jobs topic that hold jobs").isEqualTo(allPartitions());
        // What the lists must get right: jobs of one list created at the same time (or none), on a window's bounds.
        assertThat(model.values().stream().collect(Collectors.groupingBy(job -> Arrays.asList(job.siteId(), job.aliUid(),
                JobListModel.createdMillis(job)), Collectors.counting())).values())
                .as("jobs of a list created at the same time").contains(2L);
        assertThat(model.values().stream().map(JobListModel::createdMillis).toList()).as("creation times")
                .contains(null, WINDOWS[1][0], WINDOWS[1][1], WINDOWS[2][0], WINDOWS[3][1]);

        // Settled and loaded: once each instance answers the whole list of every site and account, both
        // hold the partitions they will keep (the second joins in two rebalances, and between them a list
        // is a 503), and the stores show every job (a store shows a transaction's writes a moment after its commit).
        ChildProcess child = second.process();
        Wait.atMost(SETTLE, Duration.ofMillis(200)).alias("both instances to list every job; see " + child.log())
                .failFast("the second instance exited; see " + child.log(), () -> !child.isAlive())
                .ignoreExceptionsInstanceOf(IllegalStateException.class) // HttpApiIT.request's, while the second is not listening yet
                .until(() -> {
                    for (URI instance : List.of(fixture.http(""), second.http())) {
                        for (long site : SITES) {
                            for (String account : List.of(ACCOUNTS[0], ACCOUNTS[1], STRANGER)) {
                                Reply reply = list(instance, "SiteId=" + site + "&AliUid=" + account + "&PageSize=500");
                                if (reply.status() != 200 || !answer(reply).equals(expectedPage(modelList(site, account, null, null), 1, 500))) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                });
        Map<HostInfo, Set<Integer>> holders = holders();
        assertThat(holders).as("who holds which partitions").hasSize(2).allSatisfy((host, partitions) ->
                assertThat(partitions).isNotEmpty());
        Set<Integer> held = holders.values().stream().flatMap(Set::stream).collect(Collectors.toCollection(TreeSet::new));
        assertThat(held).isEqualTo(allPartitions());
    }

    private void publish(Job job) {
        partitionOf.put(job.id(), fixture.putJob(job.id(), job, fixture.t0()).partition());
        model.put(job.id(), job);
    }

    /** The partitions of the jobs topic that each instance holds, as the fixture's instance sees it. */
    private Map<HostInfo, Set<Integer>> holders() {
        Map<HostInfo, Set<Integer>> holders = new HashMap<>();
        for (StreamsMetadata instance : fixture.streams().metadataForAllStreamsClients()) {
            holders.put(instance.hostInfo(), jobPartitions(instance.topicPartitions()));
        }
        return holders;
    }

    private Set<Integer> jobPartitions(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(partition -> partition.topic().equals(fixture.topics().jobs()))
                .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Integer> allPartitions() {
        return IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toCollection(TreeSet::new));
    }
}
