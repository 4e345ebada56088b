package cdn.preload.testkit;

import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.Progress;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.ResetTopology;
import cdn.preload.streams.StreamsDefaults;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The processor's production topology in a Kafka Streams {@link TopologyTestDriver}, for testing
 * code that publishes reset commands or consumes their answers, reports progress as a prefetch
 * worker, or mirrors the jobs' states: put jobs, send resets and progress reports, read the answers
 * and the states as the contract's records. No serdes, JSON or topic names in the test:
 *
 * <pre>{@code
 * try (ResetTestKit kit = ResetTestKit.create()) {
 *     kit.putJob(job);
 *     kit.reset("r-1", job.id(), job.aliUid());
 *     Snapshot snapshot = kit.nextSnapshot();
 *     long generation = kit.lastSnapshotGeneration(); // 1: what a worker reports progress with
 *     kit.progress(job.id(), generation, 5, 3);
 *     JobState state = kit.lastState(job.id()); // the job with its counters at 5 and 3, generation 1
 *     kit.reset("r-2", job.id(), "someone else");
 *     ErrorEvent error = kit.nextError(); // 403 InvalidUid.PermissionDenied
 * }
 * }</pre>
 *
 * <p>It runs with the processor's defaults (its Kafka Streams properties are
 * {@link StreamsDefaults}'; the rate limit, the replay retention and the topics' names are the
 * settings' defaults), each of the last three overridable through {@link #builder()}. Time is the kit's clock: it starts at {@link #DEFAULT_START} and moves only
 * by {@link #advanceTime}; every record is stamped with it unless given a time of its own, which
 * may not be later than the machine's clock (the processor never lets a record's time run ahead of
 * it). Answers are ready as soon as their command is sent, in the order the commands were sent, and
 * states as soon as their change is made. A job or a progress report that the processor would
 * refuse (dead-letter) makes {@link #putJob} or {@link #progress} throw, saying why.
 *
 * <p>A kit is not thread-safe, and holds a state directory on disk until it is closed.
 */
public final class ResetTestKit implements AutoCloseable {
    /**
     * Where the kit's clock starts: in the past, since the processor never lets a record's time run
     * ahead of the machine's clock (advancing the kit's clock past now stops time for the processor).
     */
    public static final Instant DEFAULT_START = Instant.parse("2024-06-03T00:00:00Z");

    private final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<String, String> jobs;
    private final TestInputTopic<String, String> commands;
    private final TestInputTopic<String, String> reports;
    private final TestOutputTopic<String, String> snapshots;
    private final TestOutputTopic<String, String> errors;
    private final TestOutputTopic<String, String> states;
    private final TestOutputTopic<String, String> deadLetters;
    /** Answers read from the output topics, not yet taken: each a snapshot or an error event. */
    private final Deque<Object> outcomes = new ArrayDeque<>();
    /** States read from the state topic, not yet taken. */
    private final Deque<JobState> unreadStates = new ArrayDeque<>();
    /** The last state read of each job, taken or not: the table the state topic holds. */
    private final Map<String, JobState> lastStates = new HashMap<>();
    private Long lastSnapshotGeneration;
    private Instant now;

    private ResetTestKit(Builder builder) {
        Properties defaults = StreamsDefaults.properties();
        now = notAhead(builder.start);
        try {
            stateDir = Files.createTempDirectory("preload-test-kit");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the kit's state directory", e);
        }
        Properties properties = new Properties();
        properties.putAll(defaults);
        properties.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try {
            driver = new TopologyTestDriver(ResetTopology.build(builder.topics, builder.rateLimit, builder.replayRetention),
                    properties, now);
        } catch (RuntimeException e) {
            deleteStateDir();
            throw e;
        }
        StringSerializer text = new StringSerializer();
        StringDeserializer read = new StringDeserializer();
        jobs = driver.createInputTopic(builder.topics.jobs(), text, text);
        commands = driver.createInputTopic(builder.topics.commands(), text, text);
        reports = driver.createInputTopic(builder.topics.progress(), text, text);
        snapshots = driver.createOutputTopic(builder.topics.snapshots(), read, read);
        errors = driver.createOutputTopic(builder.topics.errors(), read, read);
        states = driver.createOutputTopic(builder.topics.state(), read, read);
        deadLetters = driver.createOutputTopic(builder.topics.deadLetters(), read, read);
    }

    /** A kit with the processor's defaults. */
    public static ResetTestKit create() {
        return builder().build();
    }

    /** A kit to configure: the rate limit, the replay retention, the topics' names, where time starts. */
    public static Builder builder() {
        return new Builder();
    }

    /** The kit's clock: the time that records are stamped with. */
    public Instant now() {
        return now;
    }

    /**
     * Moves the kit's clock forward, and the processor's wall clock with it (so that the replay
     * memory's purge runs as it would).
     */
    public void advanceTime(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("Time only moves forward; got " + by);
        }
        now = notAhead(now.plus(by));
        driver.advanceWallClockTime(by);
    }

    /**
     * Publishes {@code job} to the jobs topic, keyed by its Id, as the control plane does.
     *
     * @throws IllegalArgumentException when the processor refuses the job (a malformed Id, an
     *     account that is not Unicode text, a job too large for the topics), with its reason
     */
    public void putJob(Job job) {
        Objects.requireNonNull(job, "job");
        publishJob(job, new RecordHeaders());
    }

    /**
     * Publishes {@code job} with the header {@code preload.generation} naming {@code generation}, as
     * a control plane that mirrors its jobs does once it knows the job's generation: a stored job
     * takes the record's counters only if {@code generation} is its current one (and only where they
     * are higher), its other fields in any case.
     *
     * @throws IllegalArgumentException when the processor refuses the job, with its reason: as
     *     {@link #putJob(Job)}, and a generation ahead of the stored job's, or negative
     */
    public void putJob(Job job, long generation) {
        Objects.requireNonNull(job, "job");
        publishJob(job, new RecordHeaders().add(Topics.GENERATION_HEADER,
                Long.toString(generation).getBytes(StandardCharsets.US_ASCII)));
    }

    private void publishJob(Job job, Headers headers) {
        jobs.pipeInput(new TestRecord<>(job.id(), new String(Json.write(job), StandardCharsets.UTF_8), headers, now));
        refuseDeadLetter("job");
        collectStates();
    }

    /** Deletes the job {@code id}: a tombstone on the jobs topic. */
    public void deleteJob(String id) {
        jobs.pipeInput(Objects.requireNonNull(id, "id"), null, now);
        collectStates();
    }

    /** Sends a reset command keyed by its job's Id, stamped with the kit's clock. */
    public void reset(String requestId, String id, String aliUid) {
        reset(new ResetCommand(requestId, id, aliUid));
    }

    /** Sends {@code command} keyed by its job's Id, stamped with the kit's clock. */
    public void reset(ResetCommand command) {
        reset(command, command.id(), now);
    }

    /** Sends {@code command} with the record key {@code key} (any, or null), stamped {@code timestamp}. */
    public void reset(ResetCommand command, String key, Instant timestamp) {
        sendCommand(key, new String(Json.write(command), StandardCharsets.UTF_8), timestamp);
    }

    /**
     * Sends a command record exactly as given, for input that a {@link ResetCommand} cannot hold
     * (JSON that is not a command, or no JSON at all): it is answered with an error event.
     */
    public void sendCommand(String key, String value, Instant timestamp) {
        commands.pipeInput(key, value, notAhead(timestamp));
        collect();
        collectStates();
    }

    /**
     * Publishes a progress report keyed by its job's Id, stamped with the kit's clock, as a prefetch
     * worker does: applied if {@code generation} is the job's current one (each counter the larger of
     * the stored and the reported one), and otherwise dropped without a trace, as the processor
     * fences a report computed before a reset, or for no stored job.
     *
     * @throws IllegalArgumentException when the processor refuses the report (a malformed Id, a
     *     negative number, a generation ahead of the job's), with its reason
     */
    public void progress(String id, long generation, int urlSubmitted, int taskSubmitted) {
        progress(new Progress(id, generation, urlSubmitted, taskSubmitted));
    }

    /** Publishes {@code report} keyed by its job's Id, stamped with the kit's clock: see {@link #progress(String, long, int, int)}. */
    public void progress(Progress report) {
        progress(report, report.id(), now);
    }

    /** Publishes {@code report} with the record key {@code key} (any, or null), stamped {@code timestamp}. */
    public void progress(Progress report, String key, Instant timestamp) {
        sendProgress(key, new String(Json.write(report), StandardCharsets.UTF_8), timestamp);
    }

    /**
     * Publishes a progress record exactly as given, for checking what your worker writes: one that
     * the processor would refuse makes this throw an {@link IllegalArgumentException} saying why.
     */
    public void sendProgress(String key, String value, Instant timestamp) {
        reports.pipeInput(key, value, notAhead(timestamp));
        refuseDeadLetter("progress report");
        collectStates();
    }

    /**
     * The next answer, which must be a snapshot: the API's success response.
     *
     * @throws AssertionError when there is no answer left, or the next one is an error event
     */
    public Snapshot nextSnapshot() {
        Object next = next("a snapshot");
        if (next instanceof GeneratedSnapshot generated) {
            lastSnapshotGeneration = generated.generation();
            return generated.snapshot();
        }
        throw new AssertionError("Expected a snapshot, but the next answer is the error event " + next);
    }

    /**
     * The generation that the snapshot last taken by {@link #nextSnapshot} names in its header
     * {@code preload.generation}: the one its reset started, which a prefetch worker reports progress
     * with (a replayed snapshot names the first answer's).
     *
     * @throws AssertionError when no snapshot has been taken
     */
    public long lastSnapshotGeneration() {
        if (lastSnapshotGeneration == null) {
            throw new AssertionError("No snapshot has been taken (nextSnapshot) yet");
        }
        return lastSnapshotGeneration;
    }

    /**
     * The next answer, which must be an error event: the API's error response, with its HTTP status
     * and code.
     *
     * @throws AssertionError when there is no answer left, or the next one is a snapshot
     */
    public ErrorEvent nextError() {
        Object next = next("an error event");
        if (next instanceof ErrorEvent error) {
            return error;
        }
        throw new AssertionError("Expected an error event, but the next answer is the snapshot "
                + ((GeneratedSnapshot) next).snapshot());
    }

    /** @throws AssertionError when an answer is left that was not taken */
    public void expectNoMoreAnswers() {
        if (!outcomes.isEmpty()) {
            throw new AssertionError("Expected no more answers, but " + outcomes.size() + " are left, the next: "
                    + outcomes.peekFirst());
        }
    }

    /**
     * The next record of the state topic, in the order they were published: the job's state after
     * each change (stored or updated from the jobs topic, reset, progress applied), or the tombstone
     * of a deletion.
     *
     * @throws AssertionError when there is no state left
     */
    public JobState nextState() {
        JobState next = unreadStates.pollFirst();
        if (next == null) {
            throw new AssertionError("Expected a job state, but there is none left");
        }
        return next;
    }

    /**
     * The last record of the state topic for the job {@code id}, taken by {@link #nextState} or not:
     * what the compacted topic holds for it, a tombstone if the job was deleted.
     *
     * @throws AssertionError when no state of the job has been published
     */
    public JobState lastState(String id) {
        JobState last = lastStates.get(Objects.requireNonNull(id, "id"));
        if (last == null) {
            throw new AssertionError("No state of job " + id + " has been published");
        }
        return last;
    }

    /** @throws AssertionError when a state is left that was not taken by {@link #nextState} */
    public void expectNoMoreStates() {
        if (!unreadStates.isEmpty()) {
            throw new AssertionError("Expected no more job states, but " + unreadStates.size() + " are left, the next: "
                    + unreadStates.peekFirst());
        }
    }

    /** Closes the driver and deletes its state directory. */
    @Override
    public void close() {
        driver.close();
        deleteStateDir();
    }

    /** {@code time}, which must not be later than the machine's clock. */
    private static Instant notAhead(Instant time) {
        Objects.requireNonNull(time, "time");
        if (time.isAfter(Instant.now())) {
            throw new IllegalArgumentException("The kit's time " + time + " would be ahead of the machine's clock, which"
                    + " the processor never lets a record's time pass: start the kit earlier (Builder.startAt)");
        }
        return time;
    }

    private void deleteStateDir() {
        try (Stream<Path> paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the kit's state directory " + stateDir, e);
        }
    }

    /** Throws, with the processor's reason, when the record just sent became a dead letter. */
    private void refuseDeadLetter(String what) {
        if (!deadLetters.isEmpty()) {
            Header reason = deadLetters.readRecord().headers().lastHeader("__streams.errors.message");
            deadLetters.readRecordsToList();
            throw new IllegalArgumentException("The processor refuses this " + what + ": "
                    + (reason == null ? "(no reason given)" : new String(reason.value(), StandardCharsets.UTF_8)));
        }
    }

    private void collectStates() {
        for (TestRecord<String, String> record : states.readRecordsToList()) {
            JobState state = record.value() == null ? JobState.deleted(record.key()) : state(record.value());
            unreadStates.add(state);
            lastStates.put(record.key(), state);
        }
    }

    private static JobState state(String document) {
        JsonNode state = read(document);
        JsonNode generation = state instanceof ObjectNode fields ? fields.remove("Generation") : null;
        if (generation == null || !generation.isIntegralNumber()) {
            throw new AssertionError("The processor wrote a job state without a Generation: " + document);
        }
        return JobState.of(treeTo(state, Job.class), generation.longValue());
    }

    private Object next(String what) {
        Object next = outcomes.pollFirst();
        if (next == null) {
            throw new AssertionError("Expected " + what + ", but there is no answer left");
        }
        return next;
    }

    /**
     * A command has at most one answer, on one of the two topics: read both, in turn, after each. An
     * unparseable command's copy on the dead-letter topic is the processor's business, not an answer.
     */
    private void collect() {
        deadLetters.readRecordsToList();
        for (TestRecord<String, String> record : snapshots.readRecordsToList()) {
            JsonNode snapshot = read(record.value());
            Header generation = record.headers().lastHeader(Topics.GENERATION_HEADER);
            if (generation == null) {
                throw new AssertionError("The processor wrote a snapshot without the header " + Topics.GENERATION_HEADER
                        + ": " + record.value());
            }
            outcomes.add(new GeneratedSnapshot(new Snapshot(snapshot.path("RequestId").textValue(), treeTo(snapshot, Job.class)),
                    Long.parseLong(new String(generation.value(), StandardCharsets.US_ASCII))));
        }
        for (String document : errors.readValuesToList()) {
            outcomes.add(treeTo(read(document), ErrorEvent.class));
        }
    }

    private static JsonNode read(String document) {
        try {
            return Json.MAPPER.readTree(document);
        } catch (IOException e) {
            throw new AssertionError("The processor wrote an answer that is not JSON: " + document, e);
        }
    }

    private static <T> T treeTo(JsonNode node, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (IOException e) {
            throw new AssertionError("The processor wrote an answer that is not a " + type.getSimpleName() + ": " + node, e);
        }
    }

    /** A snapshot with the generation its header names. */
    private record GeneratedSnapshot(Snapshot snapshot, long generation) {
    }

    /** What a kit runs with; each setting defaults to the processor's. */
    public static final class Builder {
        private RateLimit rateLimit = RateLimit.DEFAULT;
        private Duration replayRetention = Settings.DEFAULT_REPLAY_RETENTION;
        private Topics topics = Topics.DEFAULT;
        private Instant start = DEFAULT_START;

        private Builder() {
        }

        /** At most {@code maxResets} accepted resets of a job in any {@code window} ({@code RESET_LIMIT}, {@code RESET_WINDOW}). */
        public Builder rateLimit(int maxResets, Duration window) {
            rateLimit = new RateLimit(maxResets, window);
            return this;
        }

        /** How long an answer is replayed to a command sent again ({@code REPLAY_RETENTION}). */
        public Builder replayRetention(Duration retention) {
            replayRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /** The topics' names ({@code TOPIC_*}); the kit's methods need none of them. */
        public Builder topics(Topics names) {
            topics = Objects.requireNonNull(names, "names");
            return this;
        }

        /** Where the kit's clock starts; it must be in the past (see {@link #DEFAULT_START}). */
        public Builder startAt(Instant instant) {
            start = Objects.requireNonNull(instant, "instant");
            return this;
        }

        public ResetTestKit build() {
            return new ResetTestKit(this);
        }
    }
}
