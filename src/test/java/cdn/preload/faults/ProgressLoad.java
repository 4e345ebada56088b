package cdn.preload.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Progress reports from the prefetch workers, as the fault suite plays them, and what must become of
 * them. As a real worker does, it reports each job in the generation it last learnt from a
 * snapshot's header ({@link #learn}), so it goes on reporting in the old generation for a while
 * after each reset. Jobs are picked as {@link Workload}'s commands pick them (hot jobs are reset
 * often); 2% of the reports name a job that does not exist (fenced), 1% a generation far ahead of
 * any the job can reach (dead letters).
 *
 * <p>In generation g each counter is random in [g * SPAN + 1, (g + 1) * SPAN): a report lost shows in
 * the job's final counters (each the largest its final generation's reports gave), and a counter
 * from another generation shows in any job state.
 */
final class ProgressLoad {
    static final long SPAN = 1_000_000;
    /** More generations than a job can reach in a run: 5 resets a minute of record time, for minutes. */
    private static final long AHEAD = 100_000;

    /** One report as published, keyed by its Id. */
    record Report(String id, long generation, int urlSubmitted, int taskSubmitted) {
        byte[] value() {
            return Workload.bytes(Workload.JSON.createObjectNode().put("Id", id).put("Generation", generation)
                    .put("UrlSubmitted", urlSubmitted).put("TaskSubmitted", taskSubmitted));
        }
    }

    private final Random random;
    private final Workload workload;
    private final Set<String> jobIds = new HashSet<>();
    private final Map<String, Long> learnt = new HashMap<>();
    private final List<Report> sent = new ArrayList<>();
    private int aheadSent;

    ProgressLoad(long seed, Workload workload) {
        // Not the workload's own stream: drawn from the same seed, its Ids would be the workload's jobs.
        this.random = new Random(~seed);
        this.workload = workload;
        workload.jobs().forEach(job -> jobIds.add(job.get("Id").asText()));
    }

    /** A snapshot of job {@code id} showed {@code generation}: the worker reports in it from now on. */
    synchronized void learn(String id, long generation) {
        learnt.merge(id, generation, Math::max);
    }

    /** The next {@code count} reports, in the generations learnt so far. */
    synchronized List<Report> next(int count) {
        List<Report> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            double kind = random.nextDouble();
            String id = workload.pickJob(random).get("Id").asText();
            long generation = learnt.getOrDefault(id, 0L);
            Report report;
            if (kind < 0.01) {
                aheadSent++; // counters of their own, so that each dead letter names its report
                report = new Report(id, generation + AHEAD, aheadSent, aheadSent);
            } else if (kind < 0.03) {
                report = new Report(noJob(), random.nextInt(3), counter(0), counter(0));
            } else {
                report = new Report(id, generation, counter(generation), counter(generation));
            }
            batch.add(report);
        }
        sent.addAll(batch);
        return batch;
    }

    private String noJob() {
        String id = Workload.hexId(random);
        return jobIds.contains(id) ? noJob() : id;
    }

    private int counter(long generation) {
        return (int) (generation * SPAN + 1 + random.nextInt((int) SPAN - 1));
    }

    synchronized int size() {
        return sent.size();
    }

    /**
     * How the reports stand against the jobs' final {@code generations}: of their job's final
     * generation, of an older one (stale when they arrived, or overtaken by a later reset), ahead,
     * or for no job.
     */
    synchronized String breakdown(Map<String, Long> generations) {
        long last = 0;
        long older = 0;
        long ahead = 0;
        long noJob = 0;
        for (Report report : sent) {
            Long generation = generations.get(report.id());
            if (generation == null) {
                noJob++;
            } else if (report.generation() >= AHEAD) {
                ahead++;
            } else if (report.generation() < generation) {
                older++;
            } else {
                last++;
            }
        }
        return last + " of the final generation, " + older + " of an older one, " + ahead + " ahead, " + noJob + " for no job";
    }

    /** The reports of a generation ahead of their job's: each must be a dead letter, once. */
    synchronized List<Report> ahead() {
        return sent.stream().filter(r -> r.generation() >= AHEAD).toList();
    }

    /**
     * The jobs as the store must hold them once every report is processed: {@code store} (the
     * workload's model, at {@code generations}), each counter the largest of the job's own (0 after a
     * reset) and those that reports of the job's final generation gave.
     */
    synchronized Map<String, ObjectNode> expectedStore(Map<String, ObjectNode> store, Map<String, Long> generations) {
        Map<String, ObjectNode> expected = new LinkedHashMap<>();
        store.forEach((id, job) -> expected.put(id, job.deepCopy()));
        for (Report report : sent) {
            ObjectNode job = expected.get(report.id());
            if (job != null && report.generation() == generations.get(report.id())) {
                job.put("UrlSubmitted", Math.max(job.get("UrlSubmitted").asInt(), report.urlSubmitted()));
                job.put("TaskSubmitted", Math.max(job.get("TaskSubmitted").asInt(), report.taskSubmitted()));
            }
        }
        return expected;
    }

    /**
     * What is wrong with the job states of {@code jobs} (their initial documents, at generation 0),
     * each job's in the order the state topic has them: a state of a job that does not exist, a
     * generation that goes down or beyond {@code generations}, or a counter that is neither the
     * job's own at generation 0, nor 0 after a reset, nor one that a report of the state's own
     * generation gave.
     */
    synchronized List<String> problems(Map<String, List<JsonNode>> states, List<ObjectNode> jobs,
                                       Map<String, Long> generations) {
        Map<String, ObjectNode> initial = new HashMap<>();
        jobs.forEach(job -> initial.put(job.get("Id").asText(), job));
        Map<String, Set<Integer>> reported = new HashMap<>();
        for (Report report : sent) {
            reported.computeIfAbsent(report.id() + "/" + report.generation() + "/UrlSubmitted", k -> new HashSet<>())
                    .add(report.urlSubmitted());
            reported.computeIfAbsent(report.id() + "/" + report.generation() + "/TaskSubmitted", k -> new HashSet<>())
                    .add(report.taskSubmitted());
        }
        List<String> problems = new ArrayList<>();
        states.forEach((id, history) -> {
            if (!initial.containsKey(id)) {
                problems.add("wrong: a state of " + id + ", which is no job");
                return;
            }
            long before = 0;
            for (JsonNode state : history) {
                if (state == null) {
                    problems.add("wrong: a tombstone of " + id + ", which was never deleted");
                    continue;
                }
                long generation = state.path("Generation").asLong(-1);
                if (generation < before || generation > generations.get(id)) {
                    problems.add("wrong: generation " + generation + " of " + id + " after " + before + ", at most "
                            + generations.get(id));
                }
                before = generation;
                for (String counter : List.of("UrlSubmitted", "TaskSubmitted")) {
                    int value = state.path(counter).asInt(-1);
                    int own = generation == 0 ? initial.get(id).get(counter).asInt() : 0;
                    if (value != own && !reported.getOrDefault(id + "/" + generation + "/" + counter, Set.of()).contains(value)) {
                        problems.add("wrong: " + id + " at generation " + generation + " shows " + counter + " " + value
                                + ", which no report of that generation gave");
                    }
                }
            }
        });
        return problems;
    }
}
