package cdn.preload.streams;

import cdn.preload.config.Settings;
import cdn.preload.domain.Job;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.StoredJob;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The production topology in a TopologyTestDriver, with the production settings, and helpers that
 * speak the contract's JSON. Time is the record time given to each input.
 */
final class TopologyFixture implements AutoCloseable {
    static final String EXAMPLE_ID = "665d3af3621bccf3fe29e1a4";
    static final String EXAMPLE_UID = "15685865xxx14622";
    static final String EXAMPLE_REQUEST_ID = "15C66C7B-671A-4297-9187-2C4477247A74";
    static final Instant T0 = Instant.parse("2024-06-03T00:00:00Z");

    /** The job of the API page's success example, before the reset. */
    static final Job EXAMPLE_JOB = new Job(EXAMPLE_ID, "example", 190007158391808L, EXAMPLE_UID, "testurl.com",
            "preload", "oss", "665d3b48621bccf3fe29e1a7", 2, 1, 1, "invalid domain:test.com",
            "https://xxxobject.oss-cn-reginon.aliyuncs.com/9d91_xxxxxxxxxxx_158bb6e0f97c477791209bb46bd599f7",
            "2024-06-02T02:23:26Z");

    final Settings settings;
    final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<byte[], byte[]> jobs;
    private final TestInputTopic<byte[], byte[]> commands;
    private final TestOutputTopic<byte[], byte[]> snapshots;
    private final TestOutputTopic<byte[], byte[]> errors;
    private final TestOutputTopic<byte[], byte[]> deadLetters;

    TopologyFixture() {
        this(RateLimit.DEFAULT, Settings.DEFAULT_REPLAY_RETENTION);
    }

    TopologyFixture(RateLimit rateLimit, Duration replayRetention) {
        Settings defaults = Settings.defaults();
        settings = new Settings(defaults.topics(), rateLimit, replayRetention, defaults.kafka());
        try {
            stateDir = Files.createTempDirectory("preload-ttd");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = new Properties();
        props.putAll(settings.kafka());
        props.setProperty("state.dir", stateDir.toString());
        driver = new TopologyTestDriver(
                ResetTopology.build(settings.topics(), settings.rateLimit(), settings.replayRetention()), props);
        Topics topics = settings.topics();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        jobs = driver.createInputTopic(topics.jobs(), bytesOut, bytesOut);
        commands = driver.createInputTopic(topics.commands(), bytesOut, bytesOut);
        snapshots = driver.createOutputTopic(topics.snapshots(), bytesIn, bytesIn);
        errors = driver.createOutputTopic(topics.errors(), bytesIn, bytesIn);
        deadLetters = driver.createOutputTopic(topics.deadLetters(), bytesIn, bytesIn);
    }

    // --- input ---

    void putJob(Job job) {
        putJob(job.id(), job, T0);
    }

    void putJob(String key, Job job, Instant time) {
        jobs.pipeInput(bytes(key), Json.write(job), time);
    }

    void putRawJob(byte[] key, byte[] value, Instant time) {
        jobs.pipeInput(key, value, time);
    }

    void deleteJob(String id, Instant time) {
        jobs.pipeInput(bytes(id), null, time);
    }

    /** A command keyed by its Id, as the contract recommends. */
    void reset(String requestId, String id, String aliUid, Instant time) {
        send(bytes(id), command(requestId, id, aliUid), time);
    }

    void send(byte[] key, String json, Instant time) {
        send(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8), time);
    }

    void send(byte[] key, byte[] value, Instant time) {
        commands.pipeInput(key, value, time);
    }

    void send(TestRecord<byte[], byte[]> record) {
        commands.pipeInput(record);
    }

    static String command(String requestId, String id, String aliUid) {
        return Json.MAPPER.createObjectNode().put("RequestId", requestId).put("Id", id).put("AliUid", aliUid).toString();
    }

    static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    // --- output ---

    /** The one outcome produced since the last read, on either outcome topic. */
    Answer answer() {
        List<Answer> all = new ArrayList<>(snapshots());
        all.addAll(errors());
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one outcome, got " + all);
        }
        return all.get(0);
    }

    List<Answer> snapshots() {
        return snapshots.readRecordsToList().stream().map(r -> Answer.of(Answer.SNAPSHOT, r)).toList();
    }

    List<Answer> errors() {
        return errors.readRecordsToList().stream().map(r -> Answer.of(Answer.ERROR, r)).toList();
    }

    List<TestRecord<byte[], byte[]>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    boolean noOutput() {
        return snapshots.isEmpty() && errors.isEmpty() && deadLetters.isEmpty();
    }

    StoredJob storedJob(String id) {
        return driver.<String, StoredJob>getKeyValueStore(ResetTopology.JOB_STORE).get(id);
    }

    static String header(TestRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** One outcome as a consumer sees it: which topic, the key, the document. */
    record Answer(String topic, String key, String document) {
        static final String SNAPSHOT = "snapshot";
        static final String ERROR = "error";

        static Answer of(String topic, TestRecord<byte[], byte[]> record) {
            return new Answer(topic, record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                    new String(record.value(), StandardCharsets.UTF_8));
        }

        JsonNode json() {
            return TopologyFixture.json(document);
        }
    }
}
