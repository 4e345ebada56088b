package cdn.preload.faults;

import static cdn.preload.faults.FaultRun.WAIT;

import cdn.preload.app.http.HttpApi;
import cdn.preload.faults.FaultRun.Verdict;
import cdn.preload.faults.OutcomeLog.Received;
import cdn.preload.faults.Workload.Command;
import cdn.preload.faults.Workload.Expected;
import cdn.preload.streams.Topics;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A fault scenario's checks: what the processor committed ({@link OutcomeLog}) and what its store
 * answers, against the model ({@link Workload}, {@link ProgressLoad}), as {@link Verdict}s that
 * count what is missing, duplicated and wrong, with a few examples.
 */
final class FaultChecks {
    private final OutcomeLog outcomes;
    private final Topics topics;
    private final Consumer<String> log;

    FaultChecks(OutcomeLog outcomes, Topics topics, Consumer<String> log) {
        this.outcomes = outcomes;
        this.topics = topics;
        this.log = log;
    }

    /**
     * Compares the outcomes that arrived with the model's, RequestId by RequestId; any other outcome
     * is wrong, unless {@code othersAnswered}: then outcomes for other RequestIds are someone else's.
     */
    Verdict verify(List<Command> commands, boolean othersAnswered) {
        Map<String, List<Expected>> expected = new HashMap<>();
        for (Command command : commands) {
            expected.computeIfAbsent(command.requestId(), k -> new ArrayList<>()).add(command.expected());
        }
        List<Received> actual = new ArrayList<>(outcomes.on(topics.snapshots()));
        actual.addAll(outcomes.on(topics.errors()));
        Map<String, List<Received>> byRequest = actual.stream().collect(Collectors.groupingBy(
                r -> r.document() == null ? "(not JSON)" : r.document().path("RequestId").asText("(none)")));
        int missing = 0;
        int duplicated = 0;
        int wrong = 0;
        int checked = othersAnswered ? 0 : actual.size();
        List<String> examples = new ArrayList<>();
        for (Map.Entry<String, List<Expected>> entry : expected.entrySet()) {
            List<Received> got = byRequest.getOrDefault(entry.getKey(), List.of());
            if (othersAnswered) {
                checked += got.size();
            }
            int want = entry.getValue().size();
            if (got.size() < want) {
                missing += want - got.size();
                example(examples, "missing " + entry.getKey());
            } else if (got.size() > want) {
                duplicated += got.size() - want;
                example(examples, "duplicated " + entry.getKey());
            }
            Expected model = entry.getValue().get(0);
            for (Received record : got) {
                boolean right = record.topic().equals(model.snapshot() ? topics.snapshots() : topics.errors())
                        && model.key().equals(record.key()) && model.document().equals(record.document())
                        && Objects.equals(model.generation(), record.headers().get("preload.generation"));
                if (!right) {
                    wrong++;
                    example(examples, "wrong " + record.document() + " on " + record.topic() + " (generation "
                            + record.headers().get("preload.generation") + "), expected " + model.document()
                            + " (generation " + model.generation() + ")");
                }
            }
        }
        for (Map.Entry<String, List<Received>> entry : byRequest.entrySet()) {
            if (!othersAnswered && !expected.containsKey(entry.getKey())) {
                wrong += entry.getValue().size();
                example(examples, "unexpected " + entry.getValue().get(0).document());
            }
        }
        return new Verdict(commands.size(), checked, missing, duplicated, wrong, examples);
    }

    /**
     * Compares every job that {@code /jobs/{Id}} returns with the model's store, its header
     * {@code Preload-Generation} with the model's {@code generations}, and the job's last state on
     * the state topic with both.
     */
    Verdict verifyStore(JarProcess processor, Map<String, ObjectNode> store, Map<String, Long> generations) {
        int wrong = 0;
        int missing = 0;
        List<String> examples = new ArrayList<>();
        Map<String, JsonNode> states = lastStates();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (Map.Entry<String, ObjectNode> job : store.entrySet()) {
            HttpResponse<String> response = queried(processor, job.getValue(), generations.get(job.getKey()), deadline);
            if (response.statusCode() != 200) {
                missing++;
                example(examples, "job " + job.getKey() + " answered " + response.statusCode());
                continue;
            }
            ObjectNode stored = (ObjectNode) parse(response.body());
            stored.remove("RequestId"); // the query's own, as the API's GetScheduledPreloadJob answers
            String generation = response.headers().firstValue(HttpApi.GENERATION_HEADER).orElse(null);
            JsonNode state = states.get(job.getKey());
            if (!job.getValue().equals(stored) || !String.valueOf(generations.get(job.getKey())).equals(generation)) {
                wrong++;
                example(examples, "job " + stored + " at generation " + generation + ", expected " + job.getValue()
                        + " at generation " + generations.get(job.getKey()));
            } else if (!jobState(stored, generation).equals(state)) {
                wrong++;
                example(examples, "job " + job.getKey() + "'s last state " + state + ", the store's " + stored
                        + " at generation " + generation);
            }
        }
        log.accept("store checked: " + store.size() + " jobs");
        return new Verdict(store.size(), store.size(), missing, 0, wrong, examples);
    }

    /**
     * {@code GET /jobs/{Id}} of {@code expected}'s job, asked again until it shows {@code expected} at
     * {@code generation} or the deadline passes: queries read committed state, which follows the
     * commit that the topics show by a moment (the store commits its buffer after the transaction).
     */
    @SuppressWarnings("unchecked")
    private static HttpResponse<String> queried(JarProcess processor, ObjectNode expected, Long generation, long deadline) {
        String id = expected.get("Id").asText();
        String aliUid = expected.get("AliUid").asText();
        HttpResponse<String>[] last = new HttpResponse[1];
        Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        try {
            Wait.atMost(left, Duration.ofMillis(20)).alias("/jobs/" + id + " to show the model's job").until(() -> {
                last[0] = processor.getJob(id, aliUid);
                if (last[0].statusCode() != 200) {
                    return false;
                }
                ObjectNode stored = (ObjectNode) parse(last[0].body());
                stored.remove("RequestId");
                return expected.equals(stored)
                        && String.valueOf(generation).equals(last[0].headers().firstValue(HttpApi.GENERATION_HEADER).orElse(null));
            });
        } catch (ConditionTimeoutException differs) {
            // the caller says what differs
        }
        return last[0] != null ? last[0] : processor.getJob(id, aliUid);
    }

    /** The JobState of {@code job} (its 14 fields) at {@code generation}. */
    private static JsonNode jobState(ObjectNode job, Object generation) {
        return parse(job.deepCopy().put("Generation", Long.parseLong(String.valueOf(generation))).toString());
    }

    /** Each job's states as the state topic has them, in order (null for a tombstone), by Id. */
    private Map<String, List<JsonNode>> states() {
        Map<String, List<JsonNode>> states = new HashMap<>();
        for (Received state : outcomes.on(topics.state())) {
            states.computeIfAbsent(state.key(), id -> new ArrayList<>()).add(state.document());
        }
        return states;
    }

    private Map<String, JsonNode> lastStates() {
        Map<String, JsonNode> last = new HashMap<>();
        states().forEach((id, history) -> last.put(id, history.get(history.size() - 1)));
        return last;
    }

    /**
     * Waits until the progress sent has been processed, as far as one can see it: each job's last
     * state is {@code store}'s at {@code generations}, and the {@code aheadCount} reports of the
     * workers ahead of their job's generation are dead letters. Does not fail: whatever is still missing is counted by the
     * checks.
     */
    void awaitProgress(int aheadCount, Map<String, ObjectNode> store, Map<String, Long> generations) {
        try {
            outcomes.await(() -> {
                Map<String, JsonNode> last = lastStates();
                return outcomes.count(topics.deadLetters()) >= aheadCount && store.entrySet().stream().allMatch(
                        job -> jobState(job.getValue(), generations.get(job.getKey())).equals(last.get(job.getKey())));
            }, WAIT, "every job's last state to be the model's");
            log.accept("progress processed");
        } catch (ConditionTimeoutException stillMissing) {
            log.accept("progress not all processed: " + stillMissing.getMessage());
        }
    }

    /**
     * Checks what became of the workers' reports: every job state of the run against the reports
     * ({@link ProgressLoad#problems}), and the dead letter queue, which must hold each report ahead
     * of its job's generation once, and nothing else.
     */
    Verdict verifyProgress(ProgressLoad progress, List<ObjectNode> jobs, Map<String, Long> generations) {
        Map<String, List<JsonNode>> states = states();
        List<String> problems = new ArrayList<>(progress.problems(states, jobs, generations));
        Map<String, Integer> letters = new HashMap<>();
        for (Received letter : outcomes.on(topics.deadLetters())) {
            letters.merge(new String(letter.value(), StandardCharsets.UTF_8), 1, Integer::sum);
        }
        int missing = 0;
        int duplicated = 0;
        for (ProgressLoad.Report report : progress.ahead()) {
            Integer count = letters.remove(new String(report.value(), StandardCharsets.UTF_8));
            if (count == null) {
                missing++;
                problems.add("missing: the dead letter of " + report);
            } else if (count > 1) {
                duplicated += count - 1;
                problems.add("duplicated: the dead letter of " + report);
            }
        }
        letters.keySet().forEach(letter -> problems.add("wrong: a dead letter of " + letter));
        int wrong = (int) problems.stream().filter(p -> p.startsWith("wrong")).count();
        int checked = states.values().stream().mapToInt(List::size).sum();
        log.accept("progress checked: " + progress.size() + " reports (" + progress.breakdown(generations) + "), " + checked
                + " job states, " + progress.ahead().size() + " dead letters");
        return new Verdict(progress.size(), checked, missing, duplicated, wrong,
                problems.subList(0, Math.min(5, problems.size())));
    }

    static JsonNode parse(String json) {
        try {
            return Workload.JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("Not JSON: " + json, e);
        }
    }

    private static void example(List<String> examples, String example) {
        if (examples.size() < 5) {
            examples.add(example);
        }
    }
}
