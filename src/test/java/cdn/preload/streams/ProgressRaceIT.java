package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProgressWorker.SPAN;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.Position;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A worker that reports progress in a tight loop while resets arrive, on a real broker: the worker
 * ({@link ProgressWorker}) in a JVM of its own learns each job's generation from the state topic and
 * keeps reporting in the old one for a while after each reset, as a real worker does. Whatever the
 * interleaving, no job state of a generation shows counters of an older one, each reset raises its
 * job's generation once, and the last state of each job is the one the store holds.
 */
class ProgressRaceIT {
    private static final int JOBS = 4;
    private static final int ROUNDS = 8;
    /** Resets of a job 10 s apart in record time: the sixth within a minute is refused (5 per 60 s). */
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final Duration WAIT = BrokerFixture.WAIT;

    @Test
    void aWorkerReportingThroughResetsNeverLeavesAnOlderGenerationsCountersInAJobsState() {
        String bootstrap = TestBroker.shared().bootstrapServers();
        try (BrokerFixture fixture = new BrokerFixture(bootstrap)) {
            List<Job> jobs = new ArrayList<>();
            for (int j = 0; j < JOBS; j++) {
                Job job = job(String.format("665d3af3621bccf3fe2a%04x", j));
                jobs.add(job);
                fixture.putJob(job);
            }
            fixture.states(JOBS);
            Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                    "TOPIC_PROGRESS", fixture.topics().progress(), "TOPIC_STATE", fixture.topics().state(),
                    "WORKER_JOBS", jobs.stream().map(Job::id).collect(Collectors.joining(","))));
            try (ChildProcess worker = ChildProcess.java(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    ProgressWorker.class.getName())).name("progress worker").env(env).start()) {
                awaitPrinted(worker, "reporting");

                // Each round resets every job (and replays the first job's previous command) at once;
                // a tiny model of the rate limit says which resets are accepted.
                Map<String, Long> accepted = new HashMap<>();
                Map<String, Deque<Instant>> recent = new HashMap<>();
                Map<String, Outcome> answered = new HashMap<>();
                Map<String, List<String>> headers = new HashMap<>();
                String previous = null;
                for (int round = 1; round <= ROUNDS; round++) {
                    Instant time = fixture.t0().plus(STEP.multipliedBy(round));
                    Map<String, Outcome> expected = new HashMap<>();
                    for (Job job : jobs) {
                        String requestId = "race-" + round + "-" + job.id();
                        fixture.reset(requestId, job.id(), EXAMPLE_UID, time);
                        Deque<Instant> resets = recent.computeIfAbsent(job.id(), id -> new ArrayDeque<>());
                        resets.removeIf(reset -> !reset.isAfter(time.minus(Duration.ofSeconds(60))));
                        if (resets.size() < 5) {
                            resets.add(time);
                            long generation = accepted.merge(job.id(), 1L, Long::sum);
                            expected.put(requestId, new Outcome(Answer.SNAPSHOT, job.id(), snapshot(job, requestId),
                                    Long.toString(generation)));
                        } else {
                            expected.put(requestId, new Outcome(Answer.ERROR, job.id(),
                                    expectedError(requestId, job.id(), ErrorCode.TOO_MANY_REQUESTS), null));
                        }
                    }
                    if (previous != null) {
                        // A replay: its first answer again, header and all, and no new generation.
                        fixture.reset(previous, jobs.get(0).id(), EXAMPLE_UID, time);
                        expected.put(previous, answered.get(previous));
                    }
                    previous = "race-" + round + "-" + jobs.get(0).id();
                    long snapshots = expected.values().stream().filter(o -> o.topic().equals(Answer.SNAPSHOT)).count();
                    Map<String, Outcome> actual = new HashMap<>();
                    fixture.snapshots((int) snapshots).forEach(answer -> actual.put(Outcome.of(answer).requestId(), Outcome.of(answer)));
                    fixture.errors(expected.size() - (int) snapshots).forEach(answer -> actual.put(Outcome.of(answer).requestId(),
                            Outcome.of(answer)));
                    assertThat(actual).as("the answers of round %d", round).isEqualTo(expected);
                    expected.forEach((requestId, outcome) -> {
                        if (answered.putIfAbsent(requestId, outcome) == null && outcome.generation() != null) {
                            headers.computeIfAbsent(outcome.key(), id -> new ArrayList<>()).add(outcome.generation());
                        }
                    });
                    // On to the next round once the worker reports in each job's new generation.
                    for (Job job : jobs) {
                        awaitPrinted(worker, "generation " + job.id() + " " + accepted.get(job.id()));
                    }
                }
                worker.stop(Duration.ofSeconds(30));
                assertThat(worker.printed("stopped after")).as("the worker stopped cleanly:\n%s", worker.output()).isTrue();

                List<ConsumerRecord<byte[], byte[]>> reports = readWhole(bootstrap, fixture.topics().progress());
                for (Map.Entry<TopicPartition, Long> end : ends(reports).entrySet()) {
                    fixture.awaitProcessed(new Position(end.getKey().topic(), end.getKey().partition(), end.getValue()));
                }
                Map<String, List<JsonNode>> states = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> state : readWhole(bootstrap, fixture.topics().state())) {
                    states.computeIfAbsent(new String(state.key(), StandardCharsets.UTF_8), id -> new ArrayList<>())
                            .add(ProcessorHarness.json(new String(state.value(), StandardCharsets.UTF_8)));
                }

                List<String> problems = new ArrayList<>();
                for (Job job : jobs) {
                    String id = job.id();
                    long generations = accepted.getOrDefault(id, 0L);
                    List<JsonNode> history = states.get(id);
                    problems.addAll(otherGenerationsIn(id, history));
                    JsonNode last = history.get(history.size() - 1);
                    // Each accepted reset raised the generation once: the snapshots' headers are 1, 2, ... n.
                    assertThat(headers.get(id)).as("snapshot headers of %s", id)
                            .isEqualTo(java.util.stream.LongStream.rangeClosed(1, generations).mapToObj(Long::toString).toList());
                    assertThat(last.get("Generation").asLong()).as("final generation of %s", id).isEqualTo(generations);
                    // The counters are those of the last generation's furthest report, or 0 if none came.
                    long furthest = furthest(reports, id, generations);
                    assertThat(last).as("last state of %s", id).isEqualTo(Examples.expectedState(
                            job.withCounters((int) furthest, (int) (furthest == 0 ? 0 : generations * SPAN
                                    + (furthest - generations * SPAN) / 2)), generations));
                    StoredJob stored = fixture.storedJob(id);
                    assertThat(ProcessorHarness.json(new String(JobDocuments.state(stored), StandardCharsets.UTF_8)))
                            .as("the store's %s", id).isEqualTo(last);
                }
                assertThat(problems).as("job states showing another generation's counters").isEmpty();

                Map<String, Double> metrics = HttpApiIT.scrape(HttpApiIT.get(fixture.http("/metrics")).body());
                double fenced = metrics.get("preload_progress_reports_processed_total{outcome=\"fenced\"}");
                double counted = fenced + metrics.get("preload_progress_reports_processed_total{outcome=\"applied\"}")
                        + metrics.get("preload_progress_reports_processed_total{outcome=\"unchanged\"}");
                System.out.printf("[progress race] %d reports, %.0f fenced, %d job states, %s resets accepted%n",
                        reports.size(), fenced, states.values().stream().mapToInt(List::size).sum(), accepted);
                assertThat(fenced).as("stale reports fenced: the race took place").isPositive();
                assertThat(counted).as("reports applied, unchanged or fenced").isGreaterThanOrEqualTo(reports.size());
                assertThat(metrics.get("preload_progress_reports_processed_total{outcome=\"dead-lettered\"}")).isZero();
            }
        }
    }

    /**
     * What is wrong with a job's states, in the state topic's order: a generation that goes down, or a
     * counter that is neither 0 nor of the state's own generation.
     */
    private static List<String> otherGenerationsIn(String id, List<JsonNode> history) {
        List<String> problems = new ArrayList<>();
        long before = 0;
        for (JsonNode state : history) {
            long generation = state.get("Generation").asLong();
            if (generation < before) {
                problems.add(id + ": generation " + generation + " after " + before);
            }
            before = generation;
            for (String counter : List.of("UrlSubmitted", "TaskSubmitted")) {
                long value = state.get(counter).asLong();
                if (value != 0 && (value < generation * SPAN || value >= (generation + 1) * SPAN)) {
                    problems.add(id + ": a state of generation " + generation + " shows " + counter + " " + value
                            + ", from generation " + value / SPAN);
                }
            }
        }
        return problems;
    }

    /** The largest UrlSubmitted that {@code reports} gave job {@code id} in {@code generation}; 0 if none. */
    private static long furthest(List<ConsumerRecord<byte[], byte[]>> reports, String id, long generation) {
        return reports.stream().map(r -> ProcessorHarness.json(new String(r.value(), StandardCharsets.UTF_8)))
                .filter(r -> r.get("Id").asText().equals(id) && r.get("Generation").asLong() == generation)
                .mapToLong(r -> r.get("UrlSubmitted").asLong()).max().orElse(0);
    }

    /** An answer as it is compared: its topic, key, document (parsed) and header {@code preload.generation}. */
    private record Outcome(String topic, String key, JsonNode document, String generation) {
        static Outcome of(Answer answer) {
            return new Outcome(answer.topic(), answer.key(), answer.json(), answer.generation());
        }

        String requestId() {
            return document.get("RequestId").asText();
        }
    }

    private static Job job(String id) {
        Job e = EXAMPLE_JOB;
        return new Job(id, "race-" + id, e.siteId(), EXAMPLE_UID, e.domains(), e.taskType(), e.insertWay(), e.fileId(),
                e.urlCount(), 0, 0, e.errorInfo(), e.failedFileOss(), e.createdAt());
    }

    private static ObjectNode snapshot(Job job, String requestId) {
        ObjectNode snapshot = Json.MAPPER.createObjectNode().put("RequestId", requestId);
        snapshot.setAll((ObjectNode) Json.MAPPER.valueToTree(job.restarted()));
        return (ObjectNode) ProcessorHarness.json(snapshot.toString());
    }

    private static void awaitPrinted(ChildProcess worker, String line) {
        Wait.atMost(WAIT, Duration.ofMillis(10)).alias("the worker to print '" + line + "'")
                .failFast(() -> {
                    if (!worker.isAlive()) {
                        throw new AssertionError("The worker exited:\n" + worker.output());
                    }
                })
                .until(() -> worker.lines().contains(line));
    }

    /** The offset of the last record on each partition of {@code records}. */
    private static Map<TopicPartition, Long> ends(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.toMap(r -> new TopicPartition(r.topic(), r.partition()),
                ConsumerRecord::offset, Math::max));
    }

    /** Every record of {@code topic} committed by now, in each partition's order. */
    private static List<ConsumerRecord<byte[], byte[]>> readWhole(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo partition : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, partition.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Wait.atMost(WAIT, Duration.ZERO).alias("the whole of " + topic).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            });
            return records;
        }
    }
}
