package cdn.preload.faults;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.faults.FaultRun.Verdict;
import cdn.preload.faults.HostileInput.BadCommand;
import cdn.preload.faults.HostileInput.BadJob;
import cdn.preload.faults.Workload.Command;
import cdn.preload.streams.TestBroker;
import cdn.preload.streams.TopicLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Nothing lost, nothing answered twice, whatever fails: the real jar against a real broker of the
 * suite's own, checked with {@code read_committed} consumers against {@link Workload}'s model.
 *
 * <p>Sizes come from system properties, so that a longer soak is the same suite:
 * {@code faults.commands} (crash scenario, 50000), {@code faults.kills} (5), {@code faults.seed}.
 * The table of results goes to {@code target/reliability/}, and into {@code docs/RELIABILITY.md} with
 * {@code -Dfaults.report=docs/RELIABILITY.md}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    private static final Duration WAIT = FaultRun.WAIT;
    private static final long SEED = Long.getLong("faults.seed", 20261129L);
    private static final int COMMANDS = Integer.getInteger("faults.commands", 50_000);
    private static final int KILLS = Integer.getInteger("faults.kills", 5);
    /** Bad records of each kind: about 14 kinds of bad job and 9 kinds of bad command, 400 → 11,000 records. */
    private static final int HOSTILE = Integer.getInteger("faults.hostile", 400);
    /** Commands start an hour back, 10 ms apart: the rate limit bites on hot jobs, predictably. */
    private static final long T0 = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();

    private static Path dir;
    private static LocalKafka broker;
    private static ReliabilityReport report;

    @BeforeAll
    static void startBroker() throws IOException {
        dir = Files.createTempDirectory("preload-faults");
        broker = TestBroker.startOwn(dir.resolve("broker"));
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("seed", Long.toString(SEED));
        facts.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version") + ", one local KRaft broker (Kafka 4.4.0)");
        facts.put("processor", "java -Xmx512m -jar target/preload-job-processor.jar, default settings"
                + " (exactly_once_v2) unless the row says otherwise");
        report = new ReliabilityReport(facts);
    }

    @AfterAll
    static void stopBroker() {
        report.write();
        broker.stop();
        try {
            Files.copy(broker.log(), FaultRun.LOGS.resolve("broker.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the broker's log is a help, not a result
        }
        TestBroker.delete(dir);
    }

    @Test
    @Order(1)
    void sigkillAtRandomMomentsLosesAndDuplicatesNothing() {
        Workload workload = new Workload(SEED, 2_000, T0, 10);
        try (FaultRun run = new FaultRun(broker, "crash", dir)) {
            // Static membership: a restarted instance takes its partitions back without waiting for
            // the session timeout of the one that died.
            JarProcess processor = run.startWithJobs(workload, Map.of("KAFKA_GROUP_INSTANCE_ID", "crash-a"));
            List<Command> commands = workload.next(COMMANDS);
            run.publishCommands(commands);

            Random random = new Random(SEED);
            List<Long> faults = new ArrayList<>();
            for (int threshold : thresholds(random, commands.size(), KILLS)) {
                run.outcomes.await(() -> run.outcomeCount() >= threshold, WAIT, threshold + " outcomes");
                faults.add(System.nanoTime());
                processor.kill();
                run.log("SIGKILL at " + run.outcomeCount() + " outcomes");
                processor.start();
            }
            settleAndCheck(run, workload, commands, processor.awaitRunning(WAIT), "crash",
                    KILLS + " × SIGKILL of the processor, restarted at once",
                    () -> "longest pause " + recovery(run, faults, commands) + " after a kill");
        }
    }

    @Test
    @Order(2)
    void brokerRestartsAreSurvivedWithoutRestartingTheProcessor() {
        Workload workload = new Workload(SEED + 1, 1_000, T0, 10);
        try (FaultRun run = new FaultRun(broker, "broker", dir)) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<Command> commands = workload.next(COMMANDS / 2);
            run.publishCommands(commands);

            run.outcomes.await(() -> run.outcomeCount() >= commands.size() / 4, WAIT, "a quarter of the outcomes");
            broker.stop();
            broker.start();
            long firstBack = System.nanoTime();
            run.outcomes.await(() -> run.outcomeCount() >= commands.size() * 2 / 3, WAIT, "two thirds of the outcomes");
            long secondFault = System.nanoTime();
            broker.kill();
            broker.start();
            long secondBack = System.nanoTime();
            // The first restart's pauses count up to the second fault, not after it.
            List<Long> faults = List.of(firstBack, secondBack);
            List<Long> untils = List.of(secondFault, Long.MAX_VALUE);
            settleAndCheck(run, workload, commands, processor, "broker restart",
                    "broker stopped with SIGTERM, later with SIGKILL, each restarted",
                    () -> "longest pause " + recovery(run, faults, untils, commands) + " after the broker was back");
            assertThat(processor.isAlive()).as("the processor recovers by itself").isTrue();
            assertThat(processor.starts()).isEqualTo(1);
        }
    }

    @Test
    @Order(3)
    void aSurvivingInstanceTakesOverFromOneKilled() {
        Workload workload = new Workload(SEED + 2, 1_000, T0, 10);
        try (FaultRun run = new FaultRun(broker, "failover", dir)) {
            Map<String, String> env = Map.of("KAFKA_NUM_STANDBY_REPLICAS", "1",
                    "KAFKA_SESSION_TIMEOUT_MS", "6000", "KAFKA_HEARTBEAT_INTERVAL_MS", "1500");
            JarProcess first = run.processor("a", env);
            JarProcess second = run.processor("b", env);
            first.start().awaitRunning(WAIT);
            second.start().awaitRunning(WAIT);
            run.outcomes.await(() -> "RUNNING".equals(first.state()) && "RUNNING".equals(second.state()), WAIT,
                    "both instances to be RUNNING together");
            run.publishJobs(workload.jobs());
            run.awaitJobsLoaded(second, workload.jobs());
            List<Command> commands = workload.next(COMMANDS / 2);
            run.publishCommands(commands);

            run.outcomes.await(() -> run.outcomeCount() >= commands.size() * 2 / 5, WAIT, "two fifths of the outcomes");
            long fault = System.nanoTime();
            first.kill();
            settleAndCheck(run, workload, commands, second, "failover",
                    "one of two instances (1 standby replica, session.timeout.ms=6000) SIGKILLed",
                    () -> "longest pause " + recovery(run, List.of(fault), commands) + " after the kill");
        }
    }

    @Test
    @Order(4)
    void aCleanShutdownLeavesTheGroupSoARestartAnswersWithinSeconds() {
        stopAndStartAgain("clean restart", SEED + 3, false, "SIGTERM (exit status 143), then started again");
    }

    @Test
    @Order(5)
    void losingTheLocalStateChangesNoAnswer() {
        stopAndStartAgain("state loss", SEED + 4, true,
                "state directory deleted between runs; every earlier command replayed");
    }

    /**
     * Answers commands, stops with SIGTERM (optionally deleting the state directory), publishes more
     * (with {@code loseState}, every earlier command again first), starts again and checks it all.
     */
    private static void stopAndStartAgain(String scenario, long seed, boolean loseState, String faults) {
        Workload workload = new Workload(seed, 500, T0, 10);
        try (FaultRun run = new FaultRun(broker, scenario.replace(' ', '-'), dir)) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<Command> commands = new ArrayList<>(workload.next(COMMANDS / 10));
            run.publishCommands(commands);
            run.awaitSettled(commands.size());

            assertThat(processor.terminate()).as("exit status after SIGTERM (128 + 15), once closed").isEqualTo(143);
            List<Command> later = new ArrayList<>();
            if (loseState) {
                TestBroker.delete(run.stateDir("a"));
                later.addAll(workload.replayAll());
            }
            later.addAll(workload.next(loseState ? COMMANDS / 25 : COMMANDS / 10));
            run.publishCommands(later);
            commands.addAll(later);
            long restart = System.nanoTime();
            processor.start();
            double firstAnswer = run.firstOutcomeAfter(restart);
            settleAndCheck(run, workload, commands, processor, scenario, faults, () -> String.format(
                    "%.1f s from the new process%s to its first outcome", firstAnswer, loseState ? " (restoring)" : ""));
            assertThat(firstAnswer).as("seconds to the first outcome after a restart").isLessThan(30);
        }
    }

    @Test
    @Order(6)
    void hostileInputIsAnsweredOrDeadLetteredWhileTheProcessorKeepsRunning() {
        hostileInput("hostile input", "hostile", Map.of(), HOSTILE, "");
    }

    /**
     * An operator's own topics, smaller than {@code topics/} makes them: error events, dead letters
     * and snapshots of at most 64 KiB, and a DLQ at Kafka's default limit (1 MiB) rather than 2 MiB.
     * Keys and values as large as the input topics take are cut to fit, and nothing stops.
     */
    @Test
    @Order(7)
    void hostileInputIntoSmallOutputTopicsIsAnsweredAndDeadLetteredCutToFit() {
        String small = "65536";
        hostileInput("hostile input, small topics", "small-topics", Map.of(
                        TopicDefinitions.ERRORS, Map.of("max.message.bytes", small),
                        TopicDefinitions.SNAPSHOTS, Map.of("max.message.bytes", small),
                        TopicDefinitions.DLQ, Map.of("max.message.bytes", Integer.toString(TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES))),
                HOSTILE / 10, ", errors and snapshots topics of 64 KiB, DLQ of 1 MiB");
    }

    /**
     * Publishes hostile jobs and commands (some compressed, expanding far beyond the topics' limits)
     * to topics with {@code configs}, and checks that each got its outcome or dead letter, cut to fit
     * where it had to be, while the processor stayed RUNNING.
     */
    private static void hostileInput(String scenario, String name, Map<String, Map<String, String>> configs, int perKind,
                                     String topicsNote) {
        Workload workload = new Workload(SEED + 5, 300, T0, 10);
        try (FaultRun run = new FaultRun(broker, name, dir, configs)) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<ObjectNode> doomed = workload.jobs().subList(0, 20);
            List<String> states = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watch = new Thread(() -> {
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
            watch.start();

            HostileInput hostile = new HostileInput(SEED, workload.jobs().subList(20, workload.jobs().size()));
            List<BadJob> jobs = new ArrayList<>(hostile.jobs(perKind, doomed));
            List<BadJob> expandingJobs = hostile.expandingJobs();
            List<BadCommand> commands = new ArrayList<>(hostile.commands(perKind * 3 / 2));
            List<BadCommand> expandingCommands = hostile.expandingCommands();
            List<String> jobPositions = new ArrayList<>(run.publishRaw(run.topics.jobs(),
                    jobs.stream().map(BadJob::key).toList(), jobs.stream().map(BadJob::value).toList(), false));
            jobPositions.addAll(run.publishRaw(run.topics.jobs(), expandingJobs.stream().map(BadJob::key).toList(),
                    expandingJobs.stream().map(BadJob::value).toList(), true));
            jobs.addAll(expandingJobs);
            List<String> commandPositions = new ArrayList<>(run.publishRaw(run.topics.commands(),
                    commands.stream().map(BadCommand::key).toList(), commands.stream().map(BadCommand::value).toList(), false));
            commandPositions.addAll(run.publishRaw(run.topics.commands(), expandingCommands.stream().map(BadCommand::key).toList(),
                    expandingCommands.stream().map(BadCommand::value).toList(), true));
            commands.addAll(expandingCommands);
            run.awaitSettled(commands.size());

            Map<String, byte[][]> sources = new HashMap<>();
            Set<String> expectedDeadLetters = new HashSet<>();
            for (int i = 0; i < jobs.size(); i++) {
                sources.put(jobPositions.get(i), new byte[][] {jobs.get(i).key(), jobs.get(i).value()});
                if (jobs.get(i).deadLetter()) {
                    expectedDeadLetters.add(jobPositions.get(i));
                }
            }
            for (int i = 0; i < commands.size(); i++) {
                sources.put(commandPositions.get(i), new byte[][] {commands.get(i).key(), commands.get(i).value()});
                if (commands.get(i).deadLetter()) {
                    expectedDeadLetters.add(commandPositions.get(i));
                }
            }
            try {
                run.outcomes.await(() -> run.outcomes.count(run.topics.deadLetters()) >= expectedDeadLetters.size(),
                        WAIT, expectedDeadLetters.size() + " dead letters");
            } catch (AssertionError stillMissing) {
                // counted below, record by record
            }
            watching.set(false);
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
            Verdict storeVerdict = run.verifyStore(processor, store);
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
            record(scenario, commands.size() + " bad commands (" + expandingCommands.size() + " expanding to 8 MiB) and "
                    + jobs.size() + " bad job records (" + expandingJobs.size() + " expanding to 8 MiB), "
                    + expectedDeadLetters.size() + " for the DLQ" + topicsNote + "; then " + after.size() + " valid commands",
                    outcomes, storeVerdict, (states.isEmpty() ? "stayed RUNNING" : "left RUNNING: " + states.stream().distinct().toList())
                            + "; " + cutLetters + " dead letters and " + cutKeys[0] + " error event keys cut to fit");
            assertThat(states).as("states other than RUNNING while under hostile input").isEmpty();
            assertThat(processor.starts()).isEqualTo(1);
            assertThat(processor.isAlive()).isTrue();
            assertThat(cutLetters).as("dead letters cut to fit").isPositive();
            assertThat(cutKeys[0]).as("error event keys cut to fit").isPositive();
            assertClean(outcomes, storeVerdict);
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
                if (!isPrefix(error.keyBytes(), command.key())) {
                    example(problems, "wrong: " + command.kind() + " answered with another key than its own");
                } else if (command.key() != null && error.keyBytes().length < command.key().length) {
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

    /** {@code count} outcome counts at which to strike, spread at random over the run. */
    static int[] thresholds(Random random, int commands, int count) {
        return random.ints(count, commands / 20, commands * 9 / 10).sorted().toArray();
    }

    /** The longest pause after each fault, counted up to the next one. */
    private static String recovery(FaultRun run, List<Long> faults, List<Command> commands) {
        List<Long> untils = new ArrayList<>(faults.subList(1, faults.size()));
        untils.add(Long.MAX_VALUE);
        return recovery(run, faults, untils, commands);
    }

    private static String recovery(FaultRun run, List<Long> faults, List<Long> untils, List<Command> commands) {
        double[] seconds = java.util.stream.IntStream.range(0, faults.size())
                .mapToDouble(i -> run.recoverySeconds(faults.get(i), untils.get(i), commands)).sorted().toArray();
        if (seconds.length < 4) {
            return String.join(" and ", java.util.Arrays.stream(seconds).mapToObj(s -> String.format("%.1f s", s)).toList());
        }
        return String.format("median %.1f s, max %.1f s", seconds[seconds.length / 2], seconds[seconds.length - 1]);
    }

    /**
     * Waits until every command is answered, checks the outcomes and the store (read through
     * {@code answering}) against the model, records the scenario's row, and asserts it clean.
     */
    private static void settleAndCheck(FaultRun run, Workload workload, List<Command> commands, JarProcess answering,
                                       String scenario, String faults, Supplier<String> recovery) {
        run.awaitSettled(commands.size());
        Verdict outcomes = run.verify(commands);
        Verdict store = run.verifyStore(answering, workload.expectedStore());
        record(scenario, faults, outcomes, store, recovery.get());
        assertClean(outcomes, store);
    }

    private static void record(String scenario, String faults, Verdict outcomes, Verdict store, String recovery) {
        report.add(new ReliabilityReport.Row(scenario, faults, outcomes.commands(), outcomes.checked(), outcomes.missing(),
                outcomes.duplicated(), outcomes.wrong() + store.wrong() + store.missing(), store.checked(), recovery));
    }

    private static void assertClean(Verdict outcomes, Verdict store) {
        assertThat(outcomes.examples()).as("outcomes against the model").isEmpty();
        assertThat(outcomes.clean()).isTrue();
        assertThat(store.examples()).as("the store against the model").isEmpty();
        assertThat(store.clean()).isTrue();
    }
}
