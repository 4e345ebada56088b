package cdn.preload.streams;

import cdn.preload.config.Settings;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.StoredJob;
import cdn.preload.testing.TestDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, with the production settings. Time is the
 * record time given to each input; every output is there as soon as its input is piped.
 */
final class TopologyFixture implements ProcessorHarness {
    static final Instant T0 = Instant.parse("2024-06-03T00:00:00Z");

    final Settings settings;
    final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<byte[], byte[]> jobs;
    private final TestInputTopic<byte[], byte[]> commands;
    private final TestInputTopic<byte[], byte[]> progress;
    private final TestOutputTopic<byte[], byte[]> snapshots;
    private final TestOutputTopic<byte[], byte[]> states;
    private final TestOutputTopic<byte[], byte[]> errors;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private long commandOffset;
    private long jobOffset;
    private long progressOffset;

    TopologyFixture() {
        this(RateLimit.DEFAULT, Settings.DEFAULT_REPLAY_RETENTION);
    }

    TopologyFixture(RateLimit rateLimit, Duration replayRetention) {
        this(rateLimit, replayRetention, TopicLayout.TEST_DRIVER, new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers(),
                ResetObserver.NONE);
    }

    /** As above, with topics laid out as {@code layout} says (the driver itself always has one partition a topic). */
    TopologyFixture(RateLimit rateLimit, Duration replayRetention, TopicLayout layout) {
        this(rateLimit, replayRetention, layout, new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers(), ResetObserver.NONE);
    }

    /** Topics laid out as {@code layout} says (the driver itself always has one partition a topic), stores from {@code stores}. */
    TopologyFixture(TopicLayout layout, DslStoreSuppliers stores) {
        this(RateLimit.DEFAULT, Settings.DEFAULT_REPLAY_RETENTION, layout, stores, ResetObserver.NONE);
    }

    /** The production topology reporting to {@code observer}. */
    TopologyFixture(ResetObserver observer) {
        this(RateLimit.DEFAULT, Settings.DEFAULT_REPLAY_RETENTION, TopicLayout.TEST_DRIVER,
                new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers(), observer);
    }

    private TopologyFixture(RateLimit rateLimit, Duration replayRetention, TopicLayout layout, DslStoreSuppliers stores,
                            ResetObserver observer) {
        Settings defaults = Settings.defaults();
        settings = new Settings(defaults.topics(), rateLimit, replayRetention, defaults.freshCommits(), defaults.kafka(),
                defaults.http());
        stateDir = TestDirs.create("preload-ttd");
        Properties props = new Properties();
        props.putAll(settings.kafka());
        props.setProperty("state.dir", stateDir.toString());
        driver = new TopologyTestDriver(
                ResetTopology.build(settings.topics(), settings.rateLimit(), settings.replayRetention(), layout, stores,
                        observer), props);
        driver.advanceWallClockTime(JobIndex.BUILD_DELAY); // as a task's first moments do: its index is built
        Topics topics = settings.topics();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        jobs = driver.createInputTopic(topics.jobs(), bytesOut, bytesOut);
        commands = driver.createInputTopic(topics.commands(), bytesOut, bytesOut);
        progress = driver.createInputTopic(topics.progress(), bytesOut, bytesOut);
        snapshots = driver.createOutputTopic(topics.snapshots(), bytesIn, bytesIn);
        states = driver.createOutputTopic(topics.state(), bytesIn, bytesIn);
        errors = driver.createOutputTopic(topics.errors(), bytesIn, bytesIn);
        deadLetters = driver.createOutputTopic(topics.deadLetters(), bytesIn, bytesIn);
    }

    @Override
    public Instant t0() {
        return T0;
    }

    @Override
    public Topics topics() {
        return settings.topics();
    }

    @Override
    public Position putRawJob(byte[] key, byte[] value, Headers headers, Instant time) {
        jobs.pipeInput(new TestRecord<>(key, value, headers, time));
        return new Position(topics().jobs(), 0, jobOffset++);
    }

    @Override
    public Position reportRaw(byte[] key, byte[] value, Headers headers, Instant time) {
        progress.pipeInput(new TestRecord<>(key, value, headers, time));
        return new Position(topics().progress(), 0, progressOffset++);
    }

    /** Every input is processed as it is piped. */
    @Override
    public void awaitProcessed(Position position) {
    }

    @Override
    public List<State> states(int count) {
        return exactly(count, allStates());
    }

    @Override
    public boolean noMoreStates() {
        return states.isEmpty();
    }

    List<State> allStates() {
        return states.readRecordsToList().stream().map(r -> State.of(r.key(), r.value())).toList();
    }

    @Override
    public Position send(byte[] key, byte[] value, Instant time) {
        commands.pipeInput(key, value, time);
        return new Position(topics().commands(), 0, commandOffset++);
    }

    Position send(TestRecord<byte[], byte[]> record) {
        commands.pipeInput(record);
        return new Position(topics().commands(), 0, commandOffset++);
    }

    /** The one outcome produced since the last read. */
    @Override
    public Answer answer() {
        List<Answer> all = new ArrayList<>(allSnapshots());
        all.addAll(allErrors());
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one outcome, got " + all);
        }
        return all.get(0);
    }

    /** Exactly {@code count} snapshots since the last read. */
    @Override
    public List<Answer> snapshots(int count) {
        return exactly(count, allSnapshots());
    }

    @Override
    public List<Answer> errors(int count) {
        return exactly(count, allErrors());
    }

    @Override
    public List<DeadLetter> deadLetters(int count) {
        return exactly(count, allDeadLetters());
    }

    List<Answer> allSnapshots() {
        return snapshots.readRecordsToList().stream().map(r -> Answer.of(Answer.SNAPSHOT, r.key(), r.value(), r.headers()))
                .toList();
    }

    List<Answer> allErrors() {
        return errors.readRecordsToList().stream().map(r -> Answer.of(Answer.ERROR, r.key(), r.value())).toList();
    }

    List<DeadLetter> allDeadLetters() {
        return deadLetters.readRecordsToList().stream().map(TopologyFixture::deadLetter).toList();
    }

    boolean noOutput() {
        return snapshots.isEmpty() && errors.isEmpty() && deadLetters.isEmpty() && states.isEmpty();
    }

    @Override
    public StoredJob storedJob(String id) {
        return driver.<String, StoredJob>getKeyValueStore(ResetTopology.JOB_STORE).get(id);
    }

    private static DeadLetter deadLetter(TestRecord<byte[], byte[]> record) {
        return DeadLetter.of(record.key(), record.value(), record.headers());
    }

    private static <T> List<T> exactly(int count, List<T> found) {
        if (found.size() != count) {
            throw new AssertionError("expected " + count + " records, got " + found);
        }
        return found;
    }

    @Override
    public void close() {
        driver.close();
        try (var paths = Files.walk(stateDir)) {
            paths.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
