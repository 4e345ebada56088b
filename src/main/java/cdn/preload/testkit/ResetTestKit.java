package cdn.preload.testkit;

import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.ResetTopology;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The processor's production topology in a Kafka Streams {@link TopologyTestDriver}, for testing
 * code that publishes reset commands or consumes their answers: put jobs, send resets, read the
 * answers as the contract's records. No serdes, JSON or topic names in the test:
 *
 * <pre>{@code
 * try (ResetTestKit kit = ResetTestKit.create()) {
 *     kit.putJob(job);
 *     kit.reset("r-1", job.id(), job.aliUid());
 *     Snapshot snapshot = kit.nextSnapshot();
 *     kit.reset("r-2", job.id(), "someone else");
 *     ErrorEvent error = kit.nextError(); // 403 InvalidUid.PermissionDenied
 * }
 * }</pre>
 *
 * <p>It runs with the processor's defaults ({@link Settings#defaults()}), each overridable through
 * {@link #builder()}. Time is the kit's clock: it starts at {@link #DEFAULT_START} and moves only
 * by {@link #advanceTime}; every record is stamped with it unless given a time of its own, which
 * may not be later than the machine's clock (the processor never lets a record's time run ahead of
 * it). Answers are ready as soon as their command is sent, in the order the commands were sent. A
 * job that the processor would refuse (dead-letter) makes {@link #putJob} throw, saying why.
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
    private final TestOutputTopic<String, String> snapshots;
    private final TestOutputTopic<String, String> errors;
    private final TestOutputTopic<String, String> deadLetters;
    /** Answers read from the output topics, not yet taken: each a snapshot or an error event. */
    private final Deque<Object> outcomes = new ArrayDeque<>();
    private Instant now;

    private ResetTestKit(Builder builder) {
        Settings defaults = Settings.defaults();
        now = notAhead(builder.start);
        try {
            stateDir = Files.createTempDirectory("preload-test-kit");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the kit's state directory", e);
        }
        Properties properties = new Properties();
        properties.putAll(defaults.kafka());
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
        snapshots = driver.createOutputTopic(builder.topics.snapshots(), read, read);
        errors = driver.createOutputTopic(builder.topics.errors(), read, read);
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
        jobs.pipeInput(job.id(), new String(Json.write(job), StandardCharsets.UTF_8), now);
        if (!deadLetters.isEmpty()) {
            Header reason = deadLetters.readRecord().headers().lastHeader("__streams.errors.message");
            deadLetters.readRecordsToList();
            throw new IllegalArgumentException("The processor refuses this job: "
                    + (reason == null ? "(no reason given)" : new String(reason.value(), StandardCharsets.UTF_8)));
        }
    }

    /** Deletes the job {@code id}: a tombstone on the jobs topic. */
    public void deleteJob(String id) {
        jobs.pipeInput(Objects.requireNonNull(id, "id"), null, now);
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
    }

    /**
     * The next answer, which must be a snapshot: the API's success response.
     *
     * @throws AssertionError when there is no answer left, or the next one is an error event
     */
    public Snapshot nextSnapshot() {
        Object next = next("a snapshot");
        if (next instanceof Snapshot snapshot) {
            return snapshot;
        }
        throw new AssertionError("Expected a snapshot, but the next answer is the error event " + next);
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
        throw new AssertionError("Expected an error event, but the next answer is the snapshot " + next);
    }

    /** @throws AssertionError when an answer is left that was not taken */
    public void expectNoMoreAnswers() {
        if (!outcomes.isEmpty()) {
            throw new AssertionError("Expected no more answers, but " + outcomes.size() + " are left, the next: "
                    + outcomes.peekFirst());
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
        for (String document : snapshots.readValuesToList()) {
            JsonNode snapshot = read(document);
            outcomes.add(new Snapshot(snapshot.path("RequestId").textValue(), treeTo(snapshot, Job.class)));
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
