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

/**
 * What a scenario needs from a running processor, whether a TopologyTestDriver or a real broker:
 * publish inputs, read the next outputs, look at a stored job.
 */
interface ProcessorHarness extends AutoCloseable {

    /** The record time scenarios start from. */
    Instant t0();

    Topics topics();

    /** Publishes a job record's bytes as they are (a null value is a tombstone). */
    Position putRawJob(byte[] key, byte[] value, Instant time);

    default Position putJob(String key, Job job, Instant time) {
        return putRawJob(bytes(key), Json.write(job), time);
    }

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

    /** One outcome as a consumer sees it: which topic, the key, the document. */
    record Answer(String topic, String key, String document) {
        static final String SNAPSHOT = "snapshot";
        static final String ERROR = "error";

        static Answer of(String topic, byte[] key, byte[] value) {
            return new Answer(topic, key == null ? null : new String(key, StandardCharsets.UTF_8),
                    new String(value, StandardCharsets.UTF_8));
        }

        JsonNode json() {
            return ProcessorHarness.json(document);
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
