package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * For random sequences of job upserts, tombstones and commands (keyed by Id, by something else, or
 * not at all; replays; expired memories; bursts over the rate limit), the topology answers exactly
 * what the pure decision function answers when applied to a plain in-memory model of the stores.
 */
class ResetPropertyTest {
    private static final int SEQUENCES = 25;
    private static final int STEPS = 300;
    private static final RateLimit LIMIT = new RateLimit(3, Duration.ofSeconds(60));
    private static final Duration RETENTION = Duration.ofMinutes(2);
    private static final List<String> IDS = List.of(
            "665d3af3621bccf3fe29e1a4", "665d3af3621bccf3fe29e1a5", "000000000000000000000000", "ffffffffffffffffffffffff");
    private static final List<String> UIDS = List.of("uid-a", "uid-b");
    // Steps that land exactly on, just inside and just past the rate window and the retention.
    private static final long[] STEP_MILLIS = {0, 0, 1, 1_000, 20_000, 30_000, 59_999, 60_000, 60_001, 120_000};

    @Test
    void topologyAnswersLikeTheDecisionFunctionOverAnInMemoryModel() {
        for (int seed = 0; seed < SEQUENCES; seed++) {
            runSequence(seed);
        }
    }

    private void runSequence(long seed) {
        Random random = new Random(seed);
        Model model = new Model();
        Instant time = TopologyFixture.T0;
        try (TopologyFixture fixture = new TopologyFixture(LIMIT, RETENTION)) {
            for (int step = 0; step < STEPS; step++) {
                time = time.plusMillis(STEP_MILLIS[random.nextInt(STEP_MILLIS.length)]);
                String id = pick(random, IDS);
                int kind = random.nextInt(10);
                String where = "seed " + seed + ", step " + step;
                if (kind == 0) {
                    Job job = randomJob(random, id);
                    fixture.putJob(id, job, time);
                    model.jobs.merge(id, StoredJob.of(job), (old, fresh) -> old.withJob(job));
                    assertThat(fixture.noOutput()).as(where).isTrue();
                } else if (kind == 1) {
                    fixture.deleteJob(id, time);
                    model.jobs.remove(id);
                    assertThat(fixture.noOutput()).as(where).isTrue();
                } else {
                    String requestId = random.nextInt(8) == 0 ? null : "req-" + random.nextInt(6);
                    String commandId = random.nextInt(15) == 0 ? id.toUpperCase(Locale.ROOT) : id;
                    String aliUid = random.nextInt(12) == 0 ? null : pick(random, UIDS);
                    int keying = random.nextInt(3);
                    byte[] key = keying == 0 ? bytes(commandId) : keying == 1 ? null : bytes("foreign-" + step);
                    fixture.send(key, ProcessorHarness.command(requestId, commandId, aliUid), time);
                    Answer expected = model.answer(key, new ResetCommand(requestId, commandId, aliUid), time.toEpochMilli());
                    assertThat(fixture.answer()).as(where).isEqualTo(expected);
                }
                assertThat(fixture.allDeadLetters()).as(where).isEmpty();
            }
            for (String id : IDS) {
                assertThat(fixture.storedJob(id)).as("seed " + seed + ", final store, " + id).isEqualTo(model.jobs.get(id));
            }
        }
    }

    private static Job randomJob(Random random, String id) {
        return new Job(id, "job-" + random.nextInt(100), 190007158391808L, pick(random, UIDS), "testurl.com", "preload",
                "oss", "665d3b48621bccf3fe29e1a7", 10, random.nextInt(10), random.nextInt(10), null, null,
                "2024-06-02T02:23:26Z");
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The stores as plain maps, the replay memory as a map with times, and the contract's order of checks. */
    private static final class Model {
        final Map<String, StoredJob> jobs = new HashMap<>();
        final Map<List<String>, Remembered> answers = new HashMap<>();
        long commandOffset;

        record Remembered(Answer answer, long time) {
        }

        Answer answer(byte[] key, ResetCommand command, long time) {
            long offset = commandOffset++;
            if (command.requestId() == null) {
                String position = "preload-job-reset-commands/0/" + offset;
                command = command.withRequestId(UUID.nameUUIDFromBytes(bytes(position)).toString().toUpperCase(Locale.ROOT));
            }
            if (!JobId.isValid(command.id())) {
                return error(key == null ? null : new String(key, StandardCharsets.UTF_8),
                        ErrorEvent.of(ErrorCode.INVALID_PARAMETER_OBJECT_ID, command.requestId(), command.id()));
            }
            List<String> triple = java.util.Arrays.asList(command.requestId(), command.id(), command.aliUid());
            Remembered remembered = answers.get(triple);
            if (remembered != null && remembered.time() > time - RETENTION.toMillis()) {
                return remembered.answer();
            }
            Decision decision = ResetDecision.decide(jobs.get(command.id()), command, time, LIMIT);
            Answer answer;
            if (decision instanceof Decision.Accepted accepted) {
                jobs.put(command.id(), accepted.updated());
                answer = new Answer(Answer.SNAPSHOT, command.id(),
                        new String(Json.write(new Snapshot(command.requestId(), accepted.updated().job())), StandardCharsets.UTF_8));
            } else {
                answer = error(command.id(), ErrorEvent.of(((Decision.Rejected) decision).error(), command.requestId(), command.id()));
            }
            answers.put(triple, new Remembered(answer, time));
            return answer;
        }

        private static Answer error(String key, ErrorEvent event) {
            return new Answer(Answer.ERROR, key, new String(Json.write(event), StandardCharsets.UTF_8));
        }
    }
}
