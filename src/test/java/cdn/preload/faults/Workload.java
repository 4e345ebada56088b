package cdn.preload.faults;

import cdn.preload.domain.ErrorCode;
import cdn.preload.testing.ErrorEvents;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Jobs and reset commands generated from a seed, with the outcome the contract prescribes for each
 * command. The model is written from SPEC.md's list of checks, independently of the processor's
 * code: only the error catalogue's texts are shared.
 *
 * <p>Every command is keyed by its Id, so the commands of a job reach the processor in the order
 * they are generated, which is the order the model applies them in. Timestamps grow by a fixed step,
 * and a few hot jobs get a fifth of the commands, so the rate limit refuses some resets, predictably.
 */
final class Workload {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int RESET_LIMIT = 5;
    static final Duration RESET_WINDOW = Duration.ofSeconds(60);

    /** One command as published, and the outcome it must get. */
    record Command(String requestId, String key, byte[] value, long timestamp, Expected expected) {
    }

    /**
     * An outcome: the topic role (snapshot or error), its key, its document, and for a snapshot its
     * header {@code preload.generation}: the job's generation after the reset (null for an error).
     */
    record Expected(boolean snapshot, String key, ObjectNode document, String generation) {
    }

    private final Random random;
    private final String tag;
    private final long stepMs;
    private final List<ObjectNode> jobs = new ArrayList<>();
    private final Map<String, ObjectNode> current = new LinkedHashMap<>();
    private final Map<String, Deque<Long>> accepted = new HashMap<>();
    private final Map<String, Long> generations = new HashMap<>();
    private final Map<String, Expected> answered = new HashMap<>();
    private final List<Command> sent = new ArrayList<>();
    private final Set<String> unknownIds = new HashSet<>();
    private long clock;
    private int next;

    /**
     * @param seed   makes the workload reproducible
     * @param jobs   how many jobs exist
     * @param start  the first command's timestamp (epoch ms)
     * @param stepMs the timestamp step between consecutive commands
     */
    Workload(long seed, int jobs, long start, long stepMs) {
        this.random = new Random(seed);
        this.tag = Long.toString(seed, 36);
        this.clock = start;
        this.stepMs = stepMs;
        for (int i = 0; i < jobs; i++) {
            ObjectNode job = job(i);
            this.jobs.add(job);
            current.put(job.get("Id").asText(), job);
        }
    }

    List<ObjectNode> jobs() {
        return jobs;
    }

    /** The jobs as the store must hold them now: reset ones with their counters at 0. */
    Map<String, ObjectNode> expectedStore() {
        return current;
    }

    /** Each job's generation now: its accepted resets so far (0 for a job never reset). */
    Map<String, Long> generations() {
        Map<String, Long> all = new LinkedHashMap<>();
        current.keySet().forEach(id -> all.put(id, generations.getOrDefault(id, 0L)));
        return all;
    }

    /** The job {@code id} was deleted (a tombstone published): commands for it now get 404. */
    void deleted(String id) {
        current.remove(id);
    }

    static byte[] bytes(ObjectNode document) {
        try {
            return JSON.writeValueAsBytes(document);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next {@code count} commands: about 5% replays, 3% unknown jobs, 1% bad Ids, 6% other accounts. */
    List<Command> next(int count) {
        List<Command> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double kind = random.nextDouble();
            if (kind < 0.05 && !sent.isEmpty()) {
                Command earlier = sent.get(random.nextInt(sent.size()));
                batch.add(apply(earlier.requestId(), idOf(earlier), aliUidOf(earlier)));
                continue;
            }
            String requestId = "req-" + tag + "-" + next++;
            ObjectNode job = pickJob();
            String id = job.get("Id").asText();
            String aliUid = job.get("AliUid").asText();
            if (kind < 0.08) {
                id = unknownId();
            } else if (kind < 0.09) {
                id = "job-" + requestId;
            } else if (kind < 0.15) {
                aliUid = "intruder-" + random.nextInt(100);
            }
            batch.add(apply(requestId, id, aliUid));
        }
        return batch;
    }

    /** Every command sent so far, sent again: each must get its first answer, document for document. */
    List<Command> replayAll() {
        List<Command> batch = new ArrayList<>(sent.size());
        for (Command earlier : List.copyOf(sent)) {
            batch.add(apply(earlier.requestId(), idOf(earlier), aliUidOf(earlier)));
        }
        return batch;
    }

    private Command apply(String requestId, String id, String aliUid) {
        long timestamp = clock;
        clock += stepMs;
        ObjectNode command = JSON.createObjectNode().put("RequestId", requestId).put("Id", id).put("AliUid", aliUid);
        Expected expected = decide(requestId, id, aliUid, timestamp);
        Command sentCommand = new Command(requestId, id, bytes(command), timestamp, expected);
        sent.add(sentCommand);
        return sentCommand;
    }

    /** SPEC.md, "The reset", steps 2 to 7. */
    private Expected decide(String requestId, String id, String aliUid, long timestamp) {
        if (!id.matches("[0-9a-f]{24}")) {
            return error(ErrorCode.INVALID_PARAMETER_OBJECT_ID, requestId, id);
        }
        String replayKey = requestId + '\n' + id + '\n' + aliUid;
        Expected first = answered.get(replayKey);
        if (first != null) {
            return first;
        }
        Expected outcome = judge(requestId, id, aliUid, timestamp);
        answered.put(replayKey, outcome);
        return outcome;
    }

    private Expected judge(String requestId, String id, String aliUid, long timestamp) {
        ObjectNode job = current.get(id);
        if (job == null) {
            return error(ErrorCode.INVALID_JOB_NOT_FOUND, requestId, id);
        }
        if (!job.get("AliUid").asText().equals(aliUid)) {
            return error(ErrorCode.INVALID_UID_PERMISSION_DENIED, requestId, id);
        }
        Deque<Long> resets = accepted.computeIfAbsent(id, k -> new ArrayDeque<>());
        while (!resets.isEmpty() && resets.peekFirst() <= timestamp - RESET_WINDOW.toMillis()) {
            resets.pollFirst();
        }
        if (resets.size() >= RESET_LIMIT) {
            return error(ErrorCode.TOO_MANY_REQUESTS, requestId, id);
        }
        resets.addLast(timestamp);
        ObjectNode reset = job.deepCopy().put("UrlSubmitted", 0).put("TaskSubmitted", 0);
        current.put(id, reset);
        ObjectNode snapshot = JSON.createObjectNode().put("RequestId", requestId);
        snapshot.setAll(reset);
        return new Expected(true, id, snapshot, Long.toString(generations.merge(id, 1L, Long::sum)));
    }

    private static Expected error(ErrorCode code, String requestId, String id) {
        ObjectNode event = ErrorEvents.expected(requestId, id, code);
        return new Expected(false, id, event, null);
    }

    private ObjectNode pickJob() {
        return pickJob(random);
    }

    /** A job as commands pick them: a fifth of the picks go to the 1% hottest jobs. */
    ObjectNode pickJob(Random random) {
        int hot = Math.max(1, jobs.size() / 100);
        int index = random.nextDouble() < 0.2 ? random.nextInt(hot) : random.nextInt(jobs.size());
        return jobs.get(index);
    }

    private String unknownId() {
        if (!unknownIds.isEmpty() && random.nextBoolean()) {
            return unknownIds.iterator().next();
        }
        String id = hexId();
        unknownIds.add(id);
        return id;
    }

    private String hexId() {
        return hexId(random);
    }

    /** A well-formed job Id: 24 lower-case hexadecimal digits. */
    static String hexId(Random random) {
        StringBuilder id = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            id.append(Character.forDigit(random.nextInt(16), 16));
        }
        return id.toString();
    }

    private ObjectNode job(int i) {
        int urls = 1 + random.nextInt(5000);
        return JSON.createObjectNode()
                .put("Id", hexId())
                .put("Name", "job-" + tag + "-" + i)
                .put("SiteId", 190007158391808L + i)
                .put("AliUid", "account-" + (i % 97))
                .put("Domains", "site" + i + ".example.com")
                .put("TaskType", "preload")
                .put("InsertWay", i % 2 == 0 ? "oss" : "textBox")
                .put("FileId", "file-" + i)
                .put("UrlCount", urls)
                .put("UrlSubmitted", random.nextInt(urls + 1))
                .put("TaskSubmitted", random.nextInt(urls + 1))
                .put("ErrorInfo", i % 7 == 0 ? "invalid domain:test" + i + ".com" : "")
                .put("FailedFileOss", "https://bucket.oss.example.com/failed/" + i)
                .put("CreatedAt", "2024-06-02T02:23:26Z");
    }

    private static String idOf(Command command) {
        return read(command).get("Id").asText();
    }

    private static String aliUidOf(Command command) {
        return read(command).get("AliUid").asText();
    }

    private static ObjectNode read(Command command) {
        try {
            return (ObjectNode) JSON.readTree(new String(command.value(), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
