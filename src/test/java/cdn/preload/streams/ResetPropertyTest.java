package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.DeadLetter;
import cdn.preload.streams.ProcessorHarness.State;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Model-based: for random interleavings of resets (keyed by Id, by something else, or not at all;
 * replays; expired memories; bursts over the rate limit), job records with and without a generation
 * header (current, stale, ahead, malformed), progress reports (current, stale, ahead, for no job,
 * malformed), deletions and re-creations, the topology gives, after every step, the answer, the dead
 * letter, the job state and the stored job that a small model gives. The model is written from the
 * contract alone: it shares no code with the processor beyond the records it writes as JSON.
 * Half the sequences run with four partitions a topic, where most records take the repartition topic.
 */
class ResetPropertyTest {
    private static final int SEQUENCES = 30;
    private static final int STEPS = 300;
    private static final int MAX_RESETS = 3;
    private static final long WINDOW_MS = 60_000;
    private static final Duration RETENTION = Duration.ofMinutes(2);
    private static final List<String> IDS = List.of(
            "665d3af3621bccf3fe29e1a4", "665d3af3621bccf3fe29e1a5", "000000000000000000000000", "ffffffffffffffffffffffff");
    private static final List<String> UIDS = List.of("uid-a", "uid-b");
    // Steps that land exactly on, just inside and just past the rate window and the retention.
    private static final long[] STEP_MILLIS = {0, 0, 1, 1_000, 20_000, 30_000, 59_999, 60_000, 60_001, 120_000};

    @Test
    void theTopologyAnswersStoresAndPublishesWhatTheContractsModelDoes() {
        for (int seed = 0; seed < SEQUENCES; seed++) {
            runSequence(seed, seed % 2 == 0 ? 1 : 4);
        }
    }

    private void runSequence(long seed, int partitions) {
        Random random = new Random(seed);
        Model model = new Model();
        Instant time = TopologyFixture.T0;
        TopicLayout layout = new TopicLayout(partitions, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES);
        try (TopologyFixture fixture = new TopologyFixture(new RateLimit(MAX_RESETS, Duration.ofMillis(WINDOW_MS)), RETENTION,
                layout)) {
            for (int step = 0; step < STEPS; step++) {
                time = time.plusMillis(STEP_MILLIS[random.nextInt(STEP_MILLIS.length)]);
                String id = pick(random, IDS);
                String where = "seed " + seed + " (" + partitions + " partitions), step " + step;
                Expected expected;
                byte[] key;
                byte[] value;
                int kind = random.nextInt(10);
                if (kind <= 1) {
                    Job job = randomJob(random, id);
                    String header = jobHeader(random, model.jobs.get(id));
                    key = bytes(id);
                    value = Json.write(job);
                    Headers headers = header == null ? new RecordHeaders() : ProcessorHarness.generationHeader(header);
                    fixture.putRawJob(key, value, headers, time);
                    expected = model.jobRecord(id, job, header);
                } else if (kind == 2) {
                    key = bytes(id);
                    value = null;
                    fixture.deleteJob(id, time);
                    expected = model.delete(id);
                } else if (kind <= 5) {
                    key = randomKey(random, id, step);
                    Model.Job current = model.jobs.get(id);
                    long generation = current == null ? random.nextInt(3) : Math.max(0, current.generation + random.nextInt(4) - 2);
                    int url = random.nextInt(20);
                    int task = random.nextInt(20);
                    boolean malformed = random.nextInt(12) == 0;
                    value = malformed ? bytes("{\"Id\":\"" + id + "\",\"Generation\":" + generation + "}")
                            : ProcessorHarness.progress(id, generation, url, task);
                    fixture.reportRaw(key, value, new RecordHeaders(), time);
                    expected = malformed ? Expected.DEAD_LETTER : model.progress(id, generation, url, task);
                } else {
                    String requestId = random.nextInt(8) == 0 ? null : "req-" + random.nextInt(6);
                    String commandId = random.nextInt(15) == 0 ? id.toUpperCase(Locale.ROOT) : id;
                    String aliUid = random.nextInt(12) == 0 ? null : pick(random, UIDS);
                    key = randomKey(random, commandId, step);
                    value = bytes(ProcessorHarness.command(requestId, commandId, aliUid));
                    fixture.send(key, value, time);
                    expected = model.command(key, requestId, commandId, aliUid, time.toEpochMilli());
                }
                List<Answer> answers = new ArrayList<>(fixture.allSnapshots());
                answers.addAll(fixture.allErrors());
                assertThat(answers).as(where + ": answers").isEqualTo(expected.answer == null ? List.of() : List.of(expected.answer));
                List<DeadLetter> deadLetters = fixture.allDeadLetters();
                assertThat(deadLetters).as(where + ": dead letters").hasSize(expected.deadLetter ? 1 : 0);
                if (expected.deadLetter) {
                    assertThat(deadLetters.get(0).key()).as(where + ": the dead letter's key, as it came").isEqualTo(key);
                    assertThat(deadLetters.get(0).value()).as(where + ": the dead letter's value, as it came").isEqualTo(value);
                }
                List<State> states = fixture.allStates();
                if (expected.stateChanged) {
                    assertThat(states).as(where + ": states").hasSize(1);
                    assertThat(states.get(0).key()).isEqualTo(id);
                    assertThat(states.get(0).json()).as(where + ": the last state").isEqualTo(model.state(id));
                } else {
                    assertThat(states).as(where + ": no state when nothing changed").isEmpty();
                }
                StoredJob stored = fixture.storedJob(id);
                Model.Job modelled = model.jobs.get(id);
                if (modelled == null) {
                    assertThat(stored).as(where + ": stored").isNull();
                } else {
                    assertThat(stored).as(where + ": stored").isNotNull();
                    assertThat(stored.job()).as(where + ": the stored job").isEqualTo(modelled.job);
                    assertThat(stored.generation()).as(where + ": the stored generation").isEqualTo(modelled.generation);
                }
            }
        }
    }

    /** What one step comes to: at most one answer, a dead letter or not, a change of the job or not. */
    private record Expected(Answer answer, boolean deadLetter, boolean stateChanged) {
        static final Expected NOTHING = new Expected(null, false, false);
        static final Expected DEAD_LETTER = new Expected(null, true, false);
        static final Expected CHANGED = new Expected(null, false, true);
    }

    /** None, the job's current generation, an older one, one ahead of it, or no number at all. */
    private static String jobHeader(Random random, Model.Job current) {
        long generation = current == null ? 0 : current.generation;
        return switch (random.nextInt(6)) {
            case 0, 1 -> null;
            case 2 -> Long.toString(generation);
            case 3 -> Long.toString(Math.max(0, generation - 1));
            case 4 -> Long.toString(generation + 1);
            default -> random.nextBoolean() ? "x" : "-1";
        };
    }

    private static byte[] randomKey(Random random, String id, int step) {
        int keying = random.nextInt(3);
        return keying == 0 ? bytes(id) : keying == 1 ? null : bytes("foreign-" + step);
    }

    private static Job randomJob(Random random, String id) {
        return new Job(id, "job-" + random.nextInt(3), 190007158391808L, pick(random, UIDS), "testurl.com", "preload",
                "oss", "665d3b48621bccf3fe29e1a7", 10, random.nextInt(10), random.nextInt(10), null, null,
                "2024-06-02T02:23:26Z");
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The contract as plain maps: jobs with their generation and accepted resets, and the answers given. */
    private static final class Model {
        final Map<String, Job> jobs = new HashMap<>();
        final Map<List<String>, Remembered> answers = new HashMap<>();
        long commandOffset;

        static final class Job {
            cdn.preload.domain.Job job;
            long generation;
            final List<Long> acceptedResets = new ArrayList<>();

            Job(cdn.preload.domain.Job job) {
                this.job = job;
            }
        }

        record Remembered(Answer answer, long time) {
        }

        JsonNode state(String id) {
            Job current = jobs.get(id);
            if (current == null) {
                return null;
            }
            ObjectNode state = Json.MAPPER.valueToTree(current.job);
            return ProcessorHarness.json(state.put("Generation", current.generation).toString());
        }

        Expected jobRecord(String id, cdn.preload.domain.Job record, String header) {
            if (header != null && !header.matches("[0-9]+")) {
                return Expected.DEAD_LETTER;
            }
            long generation = header == null ? 0 : Long.parseLong(header);
            Job current = jobs.get(id);
            if (current == null) {
                jobs.put(id, new Job(record));
                return Expected.CHANGED;
            }
            if (generation > current.generation) {
                return Expected.DEAD_LETTER;
            }
            Integer url = current.job.urlSubmitted();
            Integer task = current.job.taskSubmitted();
            if (generation == current.generation) {
                url = Math.max(url, record.urlSubmitted());
                task = Math.max(task, record.taskSubmitted());
            }
            return change(current, withCounters(record, url, task));
        }

        Expected delete(String id) {
            return jobs.remove(id) == null ? Expected.NOTHING : Expected.CHANGED;
        }

        Expected progress(String id, long generation, int url, int task) {
            Job current = jobs.get(id);
            if (current == null || generation < current.generation) {
                return Expected.NOTHING; // fenced
            }
            if (generation > current.generation) {
                return Expected.DEAD_LETTER;
            }
            cdn.preload.domain.Job job = current.job;
            return change(current, withCounters(job, Math.max(job.urlSubmitted(), url), Math.max(job.taskSubmitted(), task)));
        }

        private static cdn.preload.domain.Job withCounters(cdn.preload.domain.Job job, int url, int task) {
            return new cdn.preload.domain.Job(job.id(), job.name(), job.siteId(), job.aliUid(), job.domains(), job.taskType(),
                    job.insertWay(), job.fileId(), job.urlCount(), url, task, job.errorInfo(), job.failedFileOss(),
                    job.createdAt());
        }

        private static Expected change(Job current, cdn.preload.domain.Job updated) {
            if (updated.equals(current.job)) {
                return Expected.NOTHING;
            }
            current.job = updated;
            return Expected.CHANGED;
        }

        Expected command(byte[] key, String requestId, String id, String aliUid, long time) {
            long offset = commandOffset++;
            if (requestId == null) {
                String position = "preload-job-reset-commands/0/" + offset;
                requestId = UUID.nameUUIDFromBytes(bytes(position)).toString().toUpperCase(Locale.ROOT);
            }
            if (!id.matches("[0-9a-f]{24}")) {
                return new Expected(error(key == null ? null : new String(key, StandardCharsets.UTF_8), requestId, id,
                        ErrorCode.INVALID_PARAMETER_OBJECT_ID), false, false);
            }
            List<String> triple = Arrays.asList(requestId, id, aliUid);
            Remembered remembered = answers.get(triple);
            if (remembered != null && remembered.time() > time - RETENTION.toMillis()) {
                return new Expected(remembered.answer(), false, false);
            }
            Job current = jobs.get(id);
            Answer answer;
            boolean changed = false;
            if (current == null) {
                answer = error(id, requestId, id, ErrorCode.INVALID_JOB_NOT_FOUND);
            } else if (aliUid == null || !aliUid.equals(current.job.aliUid())) {
                answer = error(id, requestId, id, ErrorCode.INVALID_UID_PERMISSION_DENIED);
            } else if (current.acceptedResets.stream().filter(t -> t > time - WINDOW_MS && t <= time).count() >= MAX_RESETS) {
                answer = error(id, requestId, id, ErrorCode.TOO_MANY_REQUESTS);
            } else {
                current.job = withCounters(current.job, 0, 0);
                current.generation++;
                current.acceptedResets.add(time);
                changed = true;
                answer = new Answer(Answer.SNAPSHOT, id,
                        new String(Json.write(new Snapshot(requestId, current.job)), StandardCharsets.UTF_8),
                        Long.toString(current.generation));
            }
            answers.put(triple, new Remembered(answer, time));
            return new Expected(answer, false, changed);
        }

        private static Answer error(String key, String requestId, String id, ErrorCode code) {
            return new Answer(Answer.ERROR, key, new String(Json.write(ErrorEvent.of(code, requestId, id)), StandardCharsets.UTF_8));
        }
    }
}
