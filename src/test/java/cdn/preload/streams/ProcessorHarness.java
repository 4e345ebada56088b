package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * What a scenario needs from a running processor, whether a TopologyTestDriver or a real broker:
 * publish inputs, read the next outputs, look at a stored job.
 */
interface ProcessorHarness extends AutoCloseable {

    /** The record time scenarios start from. */
    Instant t0();

    Topics topics();

    /** Publishes a job record's bytes as they are (a null value is a tombstone), with {@code headers}. */
    Position putRawJob(byte[] key, byte[] value, Headers headers, Instant time);

    /** Publishes a job record's bytes as they are (a null value is a tombstone). */
    default Position putRawJob(byte[] key, byte[] value, Instant time) {
        return putRawJob(key, value, new RecordHeaders(), time);
    }

    default Position putJob(String key, Job job, Instant time) {
        return putRawJob(bytes(key), Json.write(job), time);
    }

    /**
     * The job, keyed by its Id, with the header {@code preload.generation} naming {@code generation}:
     * as a control plane that mirrors its jobs publishes them once it knows the generation.
     */
    default Position putJob(Job job, long generation, Instant time) {
        return putRawJob(bytes(job.id()), Json.write(job), generationHeader(Long.toString(generation)), time);
    }

    /** Publishes a progress report's bytes as they are, with {@code headers}. */
    Position reportRaw(byte[] key, byte[] value, Headers headers, Instant time);

    /** A progress report keyed by its Id, as the contract recommends. */
    default Position report(String id, long generation, int urlSubmitted, int taskSubmitted, Instant time) {
        return reportRaw(bytes(id), progress(id, generation, urlSubmitted, taskSubmitted), new RecordHeaders(), time);
    }

    /**
     * Waits until the processor has processed the input record at {@code position} (committed its
     * outcome, if it had one): for a record that changes nothing visible. The record must be keyed by
     * its job's Id where Java's partitioner puts it (no detour through the repartition topic).
     */
    void awaitProcessed(Position position);

    /** The next {@code count} records of the state topic, in order. */
    List<State> states(int count);

    /** Whether the state topic has no record left to read: every one committed so far has been read. */
    boolean noMoreStates();

    default void deleteJob(String id, Instant time) {
        putRawJob(bytes(id), null, time);
    }

    /** Publishes a command; where it landed on the commands topic. */
    Position send(byte[] key, byte[] value, Instant time);

    /** The one outcome, on either outcome topic, produced since the last read; more than one fails. */
    Answer answer();

    /** The next {@code count} snapshots, in order. */
    List<Answer> snapshots(int count);

    /** The next {@code count} error events, in order. */
    List<Answer> errors(int count);

    /** The next {@code count} dead letters, in order. */
    List<DeadLetter> deadLetters(int count);

    /** The job store's entry for {@code id}, or null. */
    StoredJob storedJob(String id);

    @Override
    void close();

    /**
     * The job, a second before {@link #t0()}. Jobs and commands are two topics: the processor reads
     * them in record-time order, so a job meant to be there for a command must be older than it.
     */
    default Position putJob(Job job) {
        return putJob(job.id(), job, t0().minusSeconds(1));
    }

    default Position send(byte[] key, String json, Instant time) {
        return send(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8), time);
    }

    /** A command keyed by its Id, as the contract recommends. */
    default Position reset(String requestId, String id, String aliUid, Instant time) {
        return send(bytes(id), command(requestId, id, aliUid), time);
    }

    static byte[] progress(String id, long generation, int urlSubmitted, int taskSubmitted) {
        return Json.write(Json.MAPPER.createObjectNode().put("Id", id).put("Generation", generation)
                .put("UrlSubmitted", urlSubmitted).put("TaskSubmitted", taskSubmitted));
    }

    static Headers generationHeader(String value) {
        return new RecordHeaders().add("preload.generation", value.getBytes(StandardCharsets.UTF_8));
    }

    static String command(String requestId, String id, String aliUid) {
        return Json.MAPPER.createObjectNode().put("RequestId", requestId).put("Id", id).put("AliUid", aliUid).toString();
    }

    static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a record landed. */
    record Position(String topic, int partition, long offset) {
    }

    /**
     * One outcome as a consumer sees it: which topic, the key, the document, and the header
     * {@code preload.generation} (null when it has none).
     */
    record Answer(String topic, String key, String document, String generation) {
        static final String SNAPSHOT = "snapshot";
        static final String ERROR = "error";

        Answer(String topic, String key, String document) {
            this(topic, key, document, null);
        }

        static Answer of(String topic, byte[] key, byte[] value) {
            return of(topic, key, value, new RecordHeaders());
        }

        static Answer of(String topic, byte[] key, byte[] value, Headers headers) {
            Header generation = headers.lastHeader("preload.generation");
            return new Answer(topic, key == null ? null : new String(key, StandardCharsets.UTF_8),
                    new String(value, StandardCharsets.UTF_8),
                    generation == null ? null : new String(generation.value(), StandardCharsets.US_ASCII));
        }

        JsonNode json() {
            return ProcessorHarness.json(document);
        }
    }

    /** A record of the state topic: the job's Id and its JobState document, or null for a tombstone. */
    record State(String key, String document) {
        static State of(byte[] key, byte[] value) {
            return new State(new String(key, StandardCharsets.UTF_8), value == null ? null : new String(value, StandardCharsets.UTF_8));
        }

        JsonNode json() {
            return document == null ? null : ProcessorHarness.json(document);
        }

        long generation() {
            return json().get("Generation").asLong();
        }
    }

    /** A record on the dead letter queue: the original bytes and the failure headers. */
    record DeadLetter(byte[] key, byte[] value, Map<String, String> headers) {
        /** A dead letter as either fixture reads it, its headers as text. */
        static DeadLetter of(byte[] key, byte[] value, Headers headers) {
            Map<String, String> text = new LinkedHashMap<>();
            for (Header header : headers) {
                text.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            return new DeadLetter(key, value, text);
        }

        String header(String name) {
            return headers.get(name);
        }
    }
}
