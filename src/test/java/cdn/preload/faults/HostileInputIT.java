package cdn.preload.faults;

import static cdn.preload.faults.FaultSuite.SEED;
import static cdn.preload.faults.FaultSuite.WAIT;
import static cdn.preload.faults.FaultSuite.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.JobId;
import cdn.preload.faults.FaultRun.Verdict;
import cdn.preload.faults.HostileInput.BadCommand;
import cdn.preload.faults.HostileInput.BadJob;
import cdn.preload.faults.HostileInput.BadProgress;
import cdn.preload.faults.HostileInput.BadRecord;
import cdn.preload.faults.Workload.Command;
import cdn.preload.streams.TopicLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile input is answered or dead-lettered, cut to fit where it must be, while the processor
 * keeps running: {@link HostileInput}'s bad jobs, commands and progress reports published to the
 * real jar on a real broker of the class's own, each checked for its one outcome or dead letter (or,
 * for a valid report under an odd key, its effect on the store and the job's last state), then valid
 * work checked against {@link Workload}'s model. Part of the fault suite: its rows follow
 * {@link FaultSuiteIT}'s in the report (see {@link FaultSuite}).
 *
 * <p>{@code faults.hostile} sizes it (400 bad records of each kind), {@code faults.seed} seeds it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
    /** Bad records of each kind: about 14 kinds of bad job and 9 kinds of bad command, 400 → 11,000 records. */
    private static final int HOSTILE = Integer.getInteger("faults.hostile", 400);

    private static FaultSuite suite;

    @BeforeAll
    static void startBroker() {
        suite = new FaultSuite("broker-hostile.log", 1);
    }

    @AfterAll
    static void stopBroker() {
        suite.close();
    }

    @Test
    @Order(1)
    void hostileInputIsAnsweredOrDeadLetteredWhileTheProcessorKeepsRunning() {
        hostileInput("hostile input", "hostile", Map.of(), HOSTILE, "");
    }

    /**
     * An operator's own topics, smaller than {@code topics/} makes them: error events of at most 64
     * KiB, snapshots of 320 KiB (the least a snapshots topic may take is room for a job of 256 KiB),
     * and a DLQ at Kafka's default limit (1 MiB) rather than 2 MiB.
     * Keys and values as large as the input topics take are cut to fit, and nothing stops.
     */
    @Test
    @Order(2)
    void hostileInputIntoSmallOutputTopicsIsAnsweredAndDeadLetteredCutToFit() {
        String small = "65536";
        hostileInput("hostile input, small topics", "small-topics", Map.of(
                        TopicDefinitions.ERRORS, Map.of("max.message.bytes", small),
                        TopicDefinitions.SNAPSHOTS, Map.of("max.message.bytes", Integer.toString(320 * 1024)),
                        TopicDefinitions.DLQ, Map.of("max.message.bytes", Integer.toString(TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES))),
                HOSTILE / 10, ", errors topic of 64 KiB, snapshots of 320 KiB, DLQ of 1 MiB");
    }

    /**
     * Publishes hostile jobs, commands and progress reports (some compressed, expanding far beyond the
     * topics' limits) to topics with {@code configs}, and checks that each got its outcome or dead
     * letter, cut to fit where it had to be, while the processor stayed RUNNING.
     */
    private static void hostileInput(String scenario, String name, Map<String, Map<String, String>> configs, int perKind,
                                     String topicsNote) {
        Workload workload = new Workload(SEED + 5, 300, suite.t0, 10);
        try (FaultRun run = new FaultRun(suite.broker, name, suite.dir, configs); StateWatch watch = new StateWatch()) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<ObjectNode> doomed = workload.jobs().subList(0, 20);
            watch.start(processor);

            HostileInput hostile = new HostileInput(SEED, workload.jobs().subList(20, workload.jobs().size()));
            List<BadJob> jobs = new ArrayList<>(hostile.jobs(perKind, doomed));
            List<BadJob> expandingJobs = hostile.expandingJobs();
            List<BadCommand> commands = new ArrayList<>(hostile.commands(perKind * 3 / 2));
            List<BadCommand> expandingCommands = hostile.expandingCommands();
            List<String> jobPositions = publish(run, run.topics.jobs(), jobs, expandingJobs);
            jobs.addAll(expandingJobs);
            List<String> commandPositions = publish(run, run.topics.commands(), commands, expandingCommands);
            commands.addAll(expandingCommands);
            List<BadProgress> reports = new ArrayList<>(hostile.progress(perKind / 2));
            List<BadProgress> expandingReports = hostile.expandingProgress();
            List<String> reportPositions = publish(run, run.topics.progress(), reports, expandingReports);
            reports.addAll(expandingReports);
            run.awaitSettled(commands.size());

            Map<String, byte[][]> sources = new HashMap<>();
            Set<String> expectedDeadLetters = new HashSet<>();
            expect(jobs, jobPositions, sources, expectedDeadLetters);
            expect(commands, commandPositions, sources, expectedDeadLetters);
            expect(reports, reportPositions, sources, expectedDeadLetters);
            try {
                run.outcomes.await(() -> run.outcomes.count(run.topics.deadLetters()) >= expectedDeadLetters.size(),
                        WAIT, expectedDeadLetters.size() + " dead letters");
            } catch (ConditionTimeoutException stillMissing) {
                // counted below, record by record
            }
            List<String> states = watch.stop();
            List<String> problems = new ArrayList<>();
            int[] cutKeys = new int[1];
            int checked = checkHostileOutcomes(run, commands, commandPositions, workload.jobs(), problems, cutKeys);
            Set<String> deadLetters = new HashSet<>();
            int duplicatedLetters = 0;
            int cutLetters = 0;
            for (OutcomeLog.Received letter : run.outcomes.on(run.topics.deadLetters())) {
                Map<String, String> headers = letter.headers();
                String source = FaultRun.position(headers.get("__streams.errors.topic"),
                        headers.get("__streams.errors.partition"), headers.get("__streams.errors.offset"));
                if (!deadLetters.add(source)) {
                    duplicatedLetters++;
                }
                byte[][] original = sources.get(source);
                if (original != null && !isCutFrom(letter, original, problems)) {
                    continue;
                }
                if (headers.containsKey("preload.dlq.cut")) {
                    cutLetters++;
                }
            }
            int missingLetters = (int) expectedDeadLetters.stream().filter(p -> !deadLetters.contains(p)).count();
            int wrongLetters = (int) deadLetters.stream().filter(p -> !expectedDeadLetters.contains(p)).count();
            for (String letter : deadLetters) {
                if (!expectedDeadLetters.contains(letter)) {
                    example(problems, "unexpected dead letter " + letter);
                }
            }
            Map<String, ObjectNode> store = new LinkedHashMap<>();
            for (BadJob job : jobs) {
                if (job.stored() != null) {
                    store.put(job.storedId(), job.stored());
                }
            }
            workload.jobs().subList(20, workload.jobs().size()).forEach(job -> store.put(job.get("Id").asText(), job));
            for (BadProgress report : reports) {
                if (report.storedId() != null) {
                    ObjectNode job = store.get(report.storedId());
                    store.put(report.storedId(), job.deepCopy()
                            .put("UrlSubmitted", Math.max(report.counter(), job.get("UrlSubmitted").asInt()))
                            .put("TaskSubmitted", Math.max(report.counter(), job.get("TaskSubmitted").asInt())));
                }
            }
            Map<String, Long> generations = new HashMap<>();
            store.keySet().forEach(id -> generations.put(id, 0L));
            run.awaitProgress(store, generations);
            Verdict storeVerdict = run.verifyStore(processor, store, generations);
            int deletedStillThere = (int) doomed.stream()
                    .filter(job -> processor.getJob(job.get("Id").asText(), job.get("AliUid").asText()).statusCode() != 404).count();
            // Valid work after all that is still answered.
            doomed.forEach(job -> workload.deleted(job.get("Id").asText()));
            List<Command> after = workload.next(100);
            run.publishCommands(after);
            run.awaitSettled(commands.size() + after.size());
            Verdict afterVerdict = run.verify(after, true);
            problems.addAll(afterVerdict.examples());
            Verdict outcomes = new Verdict(commands.size() + jobs.size() + after.size(),
                    checked + deadLetters.size() + afterVerdict.checked(),
                    missingLetters + afterVerdict.missing() + (int) problems.stream().filter(p -> p.startsWith("missing")).count(),
                    duplicatedLetters + afterVerdict.duplicated()
                            + (int) problems.stream().filter(p -> p.startsWith("duplicated")).count(),
                    wrongLetters + deletedStillThere + afterVerdict.wrong()
                            + (int) problems.stream().filter(p -> p.startsWith("wrong")).count(),
                    problems.subList(0, Math.min(20, problems.size())));
            // The reports' dead letters are counted with the others; their job states in the store's check.
            Verdict progress = new Verdict(reports.size(), storeVerdict.checked(), 0, 0, 0, List.of());
            suite.record(scenario, commands.size() + " bad commands (" + expandingCommands.size() + " expanding to 8 MiB), "
                    + jobs.size() + " bad job records (" + expandingJobs.size() + " expanding to 8 MiB) and "
                    + reports.size() + " progress reports, bad or oddly keyed (" + expandingReports.size()
                    + " expanding to 8 MiB), " + expectedDeadLetters.size() + " for the DLQ" + topicsNote + "; then "
                    + after.size() + " valid commands",
                    outcomes, storeVerdict, progress,
                    (states.isEmpty() ? "stayed RUNNING" : "left RUNNING: " + states.stream().distinct().toList())
                            + "; " + cutLetters + " dead letters and " + cutKeys[0] + " error event keys cut to fit");
            assertThat(states).as("states other than RUNNING while under hostile input").isEmpty();
            assertThat(processor.starts()).isEqualTo(1);
            assertThat(processor.isAlive()).isTrue();
            assertThat(cutLetters).as("dead letters cut to fit").isPositive();
            assertThat(cutKeys[0]).as("error event keys cut to fit").isPositive();
            assertClean(outcomes, storeVerdict, progress);
        }
    }

    /**
     * Publishes {@code records} to {@code topic} as they are, then {@code expanding} compressed: the
     * positions of both, in that order.
     */
    private static List<String> publish(FaultRun run, String topic, List<? extends BadRecord> records,
                                        List<? extends BadRecord> expanding) {
        List<String> positions = new ArrayList<>(run.publishRaw(topic, records.stream().map(BadRecord::key).toList(),
                records.stream().map(BadRecord::value).toList(), false));
        positions.addAll(run.publishRaw(topic, expanding.stream().map(BadRecord::key).toList(),
                expanding.stream().map(BadRecord::value).toList(), true));
        return positions;
    }

    /**
     * Notes each of {@code records} under its position: its key and value in {@code sources}, which its
     * dead letter is checked against, and its position in {@code deadLetters} if it must be dead-lettered.
     */
    private static void expect(List<? extends BadRecord> records, List<String> positions, Map<String, byte[][]> sources,
                               Set<String> deadLetters) {
        for (int i = 0; i < records.size(); i++) {
            BadRecord record = records.get(i);
            sources.put(positions.get(i), new byte[][] {record.key(), record.value()});
            if (record.deadLetter()) {
                deadLetters.add(positions.get(i));
            }
        }
    }

    /** Whether a dead letter is its source record, or the first bytes of its key and value and says so. */
    private static boolean isCutFrom(OutcomeLog.Received letter, byte[][] original, List<String> problems) {
        byte[] key = letter.keyBytes();
        boolean keyWhole = java.util.Arrays.equals(key, original[0]);
        boolean valueWhole = java.util.Arrays.equals(letter.value(), original[1]);
        boolean prefixes = isPrefix(key, original[0]) && isPrefix(letter.value(), original[1]);
        if (!prefixes || ((!keyWhole || !valueWhole) && !letter.headers().containsKey("preload.dlq.cut"))) {
            example(problems, "wrong: dead letter of " + letter.headers().get("__streams.errors.offset")
                    + " is not its record, nor a cut of it that says so");
            return false;
        }
        return true;
    }

    /** Whether {@code part} is the first bytes of {@code whole} (null only of null). */
    private static boolean isPrefix(byte[] part, byte[] whole) {
        if (part == null || whole == null) {
            return part == whole;
        }
        return part.length <= whole.length && java.util.Arrays.equals(part, 0, part.length, whole, 0, part.length);
    }

    /**
     * Every bad command has exactly one outcome with the expected code and RequestId (the one it gave,
     * or the one assigned from its position), keyed as the contract says: an error event given before
     * any lookup by the command's own key, cut to fit where it must be (counted in {@code cutKeys}).
     * Every error event has exactly the six keys of the contract and none of a job's fields.
     */
    private static int checkHostileOutcomes(FaultRun run, List<BadCommand> commands, List<String> positions,
                                            List<ObjectNode> jobs, List<String> problems, int[] cutKeys) {
        Map<String, BadCommand> byRequestId = new HashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            BadCommand command = commands.get(i);
            String requestId = command.requestId() != null ? command.requestId() : assignedRequestId(positions.get(i));
            byRequestId.put(requestId, command);
        }
        Set<String> jobValues = new HashSet<>();
        for (ObjectNode job : jobs) {
            for (String field : List.of("Name", "Domains", "FileId", "FailedFileOss")) {
                jobValues.add(job.get(field).asText());
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        List<OutcomeLog.Received> outcomes = new ArrayList<>(run.outcomes.on(run.topics.snapshots()));
        for (OutcomeLog.Received snapshot : outcomes) {
            example(problems, "wrong: a snapshot for a hostile command " + snapshot.document());
        }
        List<OutcomeLog.Received> errors = run.outcomes.on(run.topics.errors());
        for (OutcomeLog.Received error : errors) {
            JsonNode event = error.document();
            if (event == null || !fieldNames(event).equals(List.of("RequestId", "Id", "HttpStatusCode", "Code", "Message",
                    "Description"))) {
                example(problems, "wrong: error event not in the contract's shape: " + event);
                continue;
            }
            for (JsonNode value : event) {
                if (jobValues.contains(value.asText())) {
                    example(problems, "wrong: error event carries a job's field: " + event);
                }
            }
            ErrorCode code = ErrorCode.of(event.get("Code").asText());
            String requestId = event.get("RequestId").asText();
            BadCommand command = byRequestId.get(requestId);
            if (command == null) {
                example(problems, "wrong: an outcome for no command: " + event);
            } else if (command.code() != code) {
                example(problems, "wrong: " + command.kind() + " answered " + code + ": " + event);
            } else if (seen.merge(requestId, 1, Integer::sum) > 1) {
                example(problems, "duplicated: " + event);
            } else if (code == ErrorCode.INVALID_PARAMETER || code == ErrorCode.INVALID_PARAMETER_OBJECT_ID) {
                // the contract's key: the command's Id when it is a valid one, else the record's own key
                String id = event.get("Id").isTextual() ? event.get("Id").asText() : null;
                byte[] key = JobId.isValid(id) ? id.getBytes(StandardCharsets.US_ASCII) : command.key();
                if (!isPrefix(error.keyBytes(), key)) {
                    example(problems, "wrong: " + command.kind() + " answered with another key than the contract's");
                } else if (key != null && error.keyBytes().length < key.length) {
                    cutKeys[0]++;
                }
            }
        }
        for (String requestId : byRequestId.keySet()) {
            if (!seen.containsKey(requestId)) {
                example(problems, "missing: " + byRequestId.get(requestId).kind() + " " + requestId);
            }
        }
        return outcomes.size() + errors.size();
    }

    /** The RequestId the contract assigns to a command without a usable one, from its position on the commands topic. */
    private static String assignedRequestId(String position) {
        return java.util.UUID.nameUUIDFromBytes(position.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()
                .toUpperCase(java.util.Locale.ROOT);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void example(List<String> problems, String problem) {
        problems.add(problem);
    }

    /**
     * The processor's state on {@code /health/live}, asked in a thread of its own from {@link #start}
     * until {@link #stop} (or until the processor exits), keeping every state other than RUNNING.
     */
    private static final class StateWatch implements AutoCloseable {
        /** Longer than one look: the HTTP client's timeouts, and the wait for the process between two. */
        private static final Duration END = Duration.ofSeconds(30);

        private final List<String> states = new CopyOnWriteArrayList<>();
        private final AtomicBoolean watching = new AtomicBoolean(true);
        private Thread thread;

        void start(JarProcess processor) {
            thread = new Thread(() -> {
                while (watching.get() && processor.isAlive()) {
                    String state = processor.state();
                    if (!"RUNNING".equals(state)) {
                        states.add(String.valueOf(state));
                    }
                    if (processor.exitsWithin(JarProcess.ASK_AGAIN)) {
                        states.add("exited");
                    }
                }
            }, "watch-state");
            thread.start();
        }

        /** Stops watching and waits for the thread to end; the states seen other than RUNNING. */
        List<String> stop() {
            end();
            assertThat(thread.isAlive()).as("the state watch ends within %s", END).isFalse();
            return List.copyOf(states);
        }

        private void end() {
            watching.set(false);
            try {
                thread.join(END.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Ends a watch still running (the test failed before {@link #stop}). */
        @Override
        public void close() {
            if (thread != null && thread.isAlive()) {
                end();
            }
        }
    }
}
