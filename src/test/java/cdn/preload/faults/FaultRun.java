package cdn.preload.faults;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.faults.OutcomeLog.Received;
import cdn.preload.faults.Workload.Command;
import cdn.preload.streams.Topics;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.RunTopics;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One fault scenario's world: topics of its own (created from {@code topics/}), a publisher, the
 * outcome log, the processors it runs, and the checks against the workload's model.
 */
final class FaultRun implements AutoCloseable {
    static final Duration WAIT = Duration.ofMinutes(3);
    /** The partitions of the input topics (and of the outcome topics), as {@code topics/} defines them. */
    static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.COMMANDS);
    /** The processors' logs are kept for after the run. */
    static final Path LOGS = Path.of("target", "reliability", "logs");

    /** The comparison of what the processor answered with what the model prescribes. */
    record Verdict(int commands, int checked, int missing, int duplicated, int wrong, List<String> examples) {
        boolean clean() {
            return missing == 0 && duplicated == 0 && wrong == 0;
        }
    }

    final String name;
    final Topics topics;
    final String applicationId;
    private final String bootstrapServers;
    private final Path dir;
    private final Admin admin;
    /** The partitions of each topic of the run, by name. */
    private final Map<String, Integer> partitions = new HashMap<>();
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaProducer<byte[], byte[]> compressing;
    final OutcomeLog outcomes;
    private final FaultChecks checks;
    private final List<JarProcess> processes = new ArrayList<>();
    private final long began = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicReference<Exception> publishFailure =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** The workers' reports, sent from a thread of their own while the processor answers (see {@link #startProgress}). */
    private ProgressLoad progress;
    private Thread reporter;
    private volatile boolean reporting;
    private volatile Throwable reporterFailure;

    FaultRun(LocalKafka broker, String name, Path dir) {
        this(broker, name, dir, Map.of());
    }

    /**
     * With topics created from {@code topics/} but for {@code configs}, topic configs by role that
     * replace the definitions' (an operator's own topics, say).
     */
    FaultRun(LocalKafka broker, String name, Path dir, Map<String, Map<String, String>> configs) {
        this.name = name;
        this.dir = dir.resolve(name);
        this.bootstrapServers = broker.bootstrapServers();
        this.applicationId = "faults-" + name;
        this.topics = RunTopics.suffixed(name);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        List<TopicDefinition> definitions = TopicDefinitions.forTopics(topics).stream().map(definition -> {
            Map<String, String> merged = new HashMap<>(definition.configs());
            merged.putAll(configs.getOrDefault(definition.role(), Map.of()));
            return new TopicDefinition(definition.role(), definition.name(), definition.partitions(),
                    definition.replicationFactor(), merged);
        }).toList();
        definitions.forEach(definition -> partitions.put(definition.name(), definition.partitions()));
        TopicSetup.Report report = TopicSetup.ensure(admin, definitions);
        if (!report.ok()) {
            throw new IllegalStateException(report.errors().toString());
        }
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_576,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000),
                new ByteArraySerializer(), new ByteArraySerializer());
        // Records far larger than a topic takes, compressed to fit: the producer checks the size before
        // compression, and keeps a whole record in its buffer.
        compressing = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 64 << 20,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20),
                new ByteArraySerializer(), new ByteArraySerializer());
        List<TopicPartition> outputs = new ArrayList<>();
        for (String topic : List.of(topics.snapshots(), topics.errors(), topics.deadLetters(), topics.state())) {
            for (int p = 0; p < partitions.get(topic); p++) {
                outputs.add(new TopicPartition(topic, p));
            }
        }
        awaitMetadata(outputs);
        outcomes = new OutcomeLog(bootstrapServers, outputs);
        checks = new FaultChecks(outcomes, topics, this::log);
    }

    /** A processor of this run: its own state directory and log, everything else shared. */
    JarProcess processor(String instance, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        // As on machines that run Kafka: variables of Kafka's own scripts are not settings.
        env.put("KAFKA_HEAP_OPTS", "-Xmx1g");
        env.put("KAFKA_OPTS", "-Dpreload.faults=" + name);
        env.put("HTTP_AUTH_TOKEN", "faults-token-" + applicationId);
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("KAFKA_APPLICATION_ID", applicationId);
        env.put("KAFKA_STATE_DIR", stateDir(instance).toString());
        env.putAll(RunTopics.env(topics));
        JarProcess process = new JarProcess(name + "-" + instance, env, LOGS);
        processes.add(process);
        return process;
    }

    /** Starts instance {@code a} with {@code env}, publishes the jobs, and waits until they are stored. */
    JarProcess startWithJobs(Workload workload, Map<String, String> env) {
        JarProcess processor = processor("a", env);
        processor.start().awaitRunning(WAIT);
        publishJobs(workload.jobs());
        awaitJobsLoaded(processor, workload.jobs());
        return processor;
    }

    Path stateDir(String instance) {
        return dir.resolve("state-" + instance);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    void publishJobs(List<ObjectNode> jobs) {
        for (ObjectNode job : jobs) {
            send(topics.jobs(), job.get("Id").asText().getBytes(StandardCharsets.UTF_8), Workload.bytes(job), null);
        }
        flush();
    }

    void publishCommands(List<Command> commands) {
        for (Command command : commands) {
            send(topics.commands(), command.key().getBytes(StandardCharsets.UTF_8), command.value(), command.timestamp());
        }
        flush();
        log("published " + commands.size() + " commands");
    }

    /** Publishes progress reports, keyed by their Id and placed as their job's records are. */
    void publishProgress(List<ProgressLoad.Report> reports) {
        for (ProgressLoad.Report report : reports) {
            send(topics.progress(), report.id().getBytes(StandardCharsets.UTF_8), report.value(), null);
        }
    }

    /**
     * Has the workers report progress from now on, {@code perOutcome} reports for each outcome that
     * arrives, in the generations that the snapshots so far have shown them (their headers), until
     * {@link #stopProgress}: stale reports and current ones arrive while the processor answers the
     * resets, and while it is killed or loses its broker.
     */
    void startProgress(ProgressLoad load, double perOutcome) {
        progress = load;
        reporting = true;
        reporter = new Thread(() -> {
            try {
                int learnt = 0;
                int answered = 0;
                double owed = 0;
                while (reporting) {
                    List<Received> snapshots = outcomes.on(topics.snapshots());
                    for (Received snapshot : snapshots.subList(learnt, snapshots.size())) {
                        load.learn(snapshot.key(), Long.parseLong(snapshot.headers().get("preload.generation")));
                    }
                    learnt = snapshots.size();
                    int now = outcomeCount();
                    owed += (now - answered) * perOutcome;
                    answered = now;
                    publishProgress(load.next((int) owed));
                    owed -= (int) owed;
                    outcomes.await(() -> !reporting || outcomeCount() > now, WAIT, "more outcomes to report progress on");
                }
            } catch (RuntimeException | AssertionError e) {
                reporterFailure = e;
            }
        }, "progress-reporter");
        reporter.setDaemon(true);
        reporter.start();
    }

    /** Stops the workers' reports, once all are written; what they sent. */
    ProgressLoad stopProgress() {
        reporting = false;
        try {
            reporter.join(WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (reporterFailure != null) {
            throw new AssertionError("The progress reporter failed", reporterFailure);
        }
        flush();
        log("progress reports sent: " + progress.size());
        return progress;
    }

    /**
     * Half the jobs, chosen by their Id, have their job and their commands published where librdkafka
     * clients (kcat, Python, Go) put them, by CRC32; the others where the Java client does, by murmur2.
     * A job's records all go one way, so that its commands keep their order.
     */
    static Integer placement(byte[] id) {
        return Character.digit(id[id.length - 1], 16) < 8 ? Partitioners.crc32(id, PARTITIONS) : null;
    }

    private void send(String topic, byte[] key, byte[] value, Long timestamp) {
        producer.send(new ProducerRecord<>(topic, placement(key), timestamp, key, value), (metadata, e) -> {
            if (e != null) {
                publishFailure.compareAndSet(null, e);
            }
        });
    }

    /** Waits for every record sent to be written; a record the broker refused fails the test here. */
    private void flush() {
        producer.flush();
        if (publishFailure.get() != null) {
            throw new IllegalStateException("A record could not be published", publishFailure.get());
        }
    }

    /**
     * Publishes each record as it is, where the Java client puts it ({@code compressed}: zstd, so that
     * a value far larger than the topic takes gets through), and returns where each one landed, in order.
     */
    List<String> publishRaw(String topic, List<byte[]> keys, List<byte[]> values, boolean compressed) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            sent.add((compressed ? compressing : producer).send(new ProducerRecord<>(topic, keys.get(i), values.get(i))));
        }
        List<String> positions = new ArrayList<>();
        for (Future<RecordMetadata> future : sent) {
            try {
                RecordMetadata written = future.get();
                positions.add(position(written.topic(), written.partition(), written.offset()));
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("Cannot publish to " + topic, e);
            }
        }
        return positions;
    }

    static String position(String topic, Object partition, Object offset) {
        return topic + "/" + partition + "/" + offset;
    }

    /**
     * Waits until every job answers on {@code /jobs/{Id}}: commands must not overtake their jobs, and
     * a re-routed job may be stored after jobs published later.
     */
    void awaitJobsLoaded(JarProcess processor, List<ObjectNode> jobs) {
        for (ObjectNode job : jobs) {
            String id = job.get("Id").asText();
            String aliUid = job.get("AliUid").asText();
            outcomes.await(() -> processor.getJob(id, aliUid).statusCode() == 200, WAIT, "/jobs/" + id + " to answer 200");
        }
        log("jobs loaded: " + jobs.size());
    }

    /** A line of progress on the test's output, with the seconds since the run began. */
    void log(String message) {
        System.out.printf("[faults %s +%.1fs] %s%n", name, (System.nanoTime() - began) / 1e9, message);
    }

    int outcomeCount() {
        return outcomes.count(topics.snapshots(), topics.errors());
    }

    /**
     * Waits until no more outcomes can come: {@code expected} have arrived, the processor has
     * committed its position at the end of the commands topic (its outputs commit in the same
     * transaction), and the outcome log has read the outputs up to their last committed offset.
     */
    void awaitSettled(int expected) {
        try {
            outcomes.await(() -> outcomeCount() >= expected, WAIT, expected + " outcomes (had " + outcomeCount() + ")");
            outcomes.await(this::commandsCommitted, WAIT, "the processor to commit the end of " + topics.commands());
            outcomes.awaitPositions(endOffsets(List.of(topics.snapshots(), topics.errors(), topics.deadLetters())), WAIT);
        } catch (ConditionTimeoutException e) {
            String facts = stallFacts();
            log("not settled: " + facts);
            throw new AssertionError(e.getMessage() + "; " + facts, e);
        }
        log("settled: " + outcomeCount() + " outcomes");
    }

    /**
     * Where a run that does not settle stands, on one line: the outcomes read, the commands the
     * processor has committed, the outputs' ends (committed and not) against what the outcome log has
     * read, and each processor's state with the last warning or error of its log.
     */
    private String stallFacts() {
        StringBuilder facts = new StringBuilder("outcomes " + outcomeCount());
        try {
            List<String> outputs = List.of(topics.snapshots(), topics.errors(), topics.deadLetters());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            facts.append("; commands committed ").append(committed.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topics.commands()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum())
                    .append(" of ").append(sum(endOffsets(List.of(topics.commands()))))
                    .append("; outputs read ").append(outcomes.positionSum())
                    .append(", committed end ").append(sum(endOffsets(outputs)))
                    .append(", end ").append(sum(endOffsets(outputs, IsolationLevel.READ_UNCOMMITTED)));
        } catch (Exception e) {
            facts.append("; offsets unknown (").append(e).append(')');
        }
        for (JarProcess process : processes) {
            facts.append("; ").append(process.name()).append(' ')
                    .append(process.isAlive() ? String.valueOf(process.state()) : "exited")
                    .append(", last warning: ").append(process.lastWarning());
        }
        return facts.toString();
    }

    private static long sum(Map<TopicPartition, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private boolean commandsCommitted() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = endOffsets(List.of(topics.commands()));
            return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                    || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue()));
        } catch (Exception e) {
            return false;
        }
    }

    Map<TopicPartition, Long> endOffsets(List<String> names) {
        return endOffsets(names, IsolationLevel.READ_COMMITTED);
    }

    private Map<TopicPartition, Long> endOffsets(List<String> names, IsolationLevel isolation) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String topic : names) {
            for (int p = 0; p < partitions.get(topic); p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        try {
            return admin.listOffsets(request, new ListOffsetsOptions(isolation)).all()
                    .get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot list the end offsets of " + names, e);
        }
    }

    /** See {@link FaultChecks#verify}; no outcomes but the commands'. */
    Verdict verify(List<Command> commands) {
        return checks.verify(commands, false);
    }

    /** See {@link FaultChecks#verify}. */
    Verdict verify(List<Command> commands, boolean othersAnswered) {
        return checks.verify(commands, othersAnswered);
    }

    /** See {@link FaultChecks#verifyStore}. */
    Verdict verifyStore(JarProcess processor, Map<String, ObjectNode> store, Map<String, Long> generations) {
        return checks.verifyStore(processor, store, generations);
    }

    /** See {@link FaultChecks#awaitProgress}: the progress the workers sent, if they did. */
    void awaitProgress(Map<String, ObjectNode> store, Map<String, Long> generations) {
        checks.awaitProgress(progress == null ? 0 : progress.ahead().size(), store, generations);
    }

    /** See {@link FaultChecks#verifyProgress}: of the progress the workers sent. */
    Verdict verifyProgress(List<ObjectNode> jobs, Map<String, Long> generations) {
        return checks.verifyProgress(progress, jobs, generations);
    }

    /**
     * The longest pause in answers that the fault caused: over the partitions that still owed
     * outcomes at {@code faultNanos}, the largest gap between consecutive arrivals from the fault
     * to the partition's last outcome before {@code untilNanos} (the next fault). Not the first arrival after the fault: outcomes committed
     * just before it may be read just after it, and a partition that depends on another instance
     * (re-routed records) can pause after answering on for a moment.
     */
    double recoverySeconds(long faultNanos, long untilNanos, List<Command> commands) {
        Map<Integer, Long> owed = commands.stream().collect(Collectors.groupingBy(
                c -> partition(c.key()), Collectors.counting()));
        List<Received> actual = new ArrayList<>(outcomes.on(topics.snapshots()));
        actual.addAll(outcomes.on(topics.errors()));
        Map<Integer, List<Received>> byPartition = actual.stream().collect(Collectors.groupingBy(Received::partition));
        long worst = 0;
        for (Map.Entry<Integer, Long> partition : owed.entrySet()) {
            List<Received> got = byPartition.getOrDefault(partition.getKey(), List.of());
            long before = got.stream().filter(r -> r.arrivedNanos() < faultNanos).count();
            if (before < partition.getValue()) {
                long previous = faultNanos;
                for (long arrival : got.stream().mapToLong(Received::arrivedNanos)
                        .filter(t -> t >= faultNanos && t < untilNanos).sorted().toArray()) {
                    worst = Math.max(worst, arrival - previous);
                    previous = arrival;
                }
            }
        }
        return worst / 1e9;
    }

    /** Seconds from {@code sinceNanos} to the first outcome after it. */
    double firstOutcomeAfter(long sinceNanos) {
        outcomes.await(() -> lastArrival() >= sinceNanos, WAIT, "an outcome");
        List<Received> actual = new ArrayList<>(outcomes.on(topics.snapshots()));
        actual.addAll(outcomes.on(topics.errors()));
        return (actual.stream().mapToLong(Received::arrivedNanos).filter(t -> t >= sinceNanos).min().orElseThrow()
                - sinceNanos) / 1e9;
    }

    private long lastArrival() {
        List<Received> actual = new ArrayList<>(outcomes.on(topics.snapshots()));
        actual.addAll(outcomes.on(topics.errors()));
        return actual.stream().mapToLong(Received::arrivedNanos).max().orElse(Long.MIN_VALUE);
    }

    static int partition(String key) {
        return Partitioners.murmur2(key.getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    private void awaitMetadata(List<TopicPartition> outputs) {
        Map<String, Long> wanted = outputs.stream().collect(Collectors.groupingBy(TopicPartition::topic, Collectors.counting()));
        Wait.atMost(WAIT, Duration.ZERO).untilAsserted(() -> wanted.forEach((topic, count) ->
                assertThat(producer.partitionsFor(topic)).as("No metadata for %s", topic).hasSize(count.intValue())));
    }

    @Override
    public void close() {
        reporting = false;
        processes.forEach(JarProcess::close);
        outcomes.close();
        producer.close(Duration.ofSeconds(10));
        compressing.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
    }
}
