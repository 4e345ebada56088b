package cdn.preload.faults;

import static cdn.preload.faults.FaultSuite.SEED;
import static cdn.preload.faults.FaultSuite.WAIT;
import static cdn.preload.faults.FaultSuite.assertClean;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.faults.FaultRun.Verdict;
import cdn.preload.faults.Workload.Command;
import cdn.preload.testing.TestBroker;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Nothing lost, nothing answered twice, whatever fails: the real jar against a real broker of the
 * suite's own, checked with {@code read_committed} consumers against {@link Workload}'s model, under
 * SIGKILL, broker restarts, failover, a clean restart and state loss. While it answers the resets,
 * prefetch workers ({@link ProgressLoad}) report progress in the generations the snapshots showed
 * them: each job's generation, its counters and its last state, every job state and every dead
 * letter are checked too. Hostile input is {@link HostileInputIT}'s.
 *
 * <p>Sizes come from system properties, so that a longer soak is the same suite:
 * {@code faults.commands} (crash scenario, 50000), {@code faults.kills} (5), {@code faults.progress}
 * (progress reports per outcome, 0.5), {@code faults.seed}.
 * The table of results goes to {@code target/reliability/}, and into {@code docs/RELIABILITY.md} with
 * {@code -Dfaults.report=docs/RELIABILITY.md}: its first rows (see {@link FaultSuite}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    private static final int COMMANDS = Integer.getInteger("faults.commands", 50_000);
    private static final int KILLS = Integer.getInteger("faults.kills", 5);
    /** Progress reports the workers send for each outcome, while the processor answers. */
    private static final double PROGRESS = Double.parseDouble(System.getProperty("faults.progress", "0.5"));

    private static FaultSuite suite;
    private static Path dir;
    private static LocalKafka broker;

    @BeforeAll
    static void startBroker() {
        suite = new FaultSuite("broker.log", 0);
        dir = suite.dir;
        broker = suite.broker;
    }

    @AfterAll
    static void stopBroker() {
        suite.close();
    }

    @Test
    @Order(1)
    void sigkillAtRandomMomentsLosesAndDuplicatesNothing() {
        Workload workload = new Workload(SEED, 2_000, suite.t0, 10);
        try (FaultRun run = new FaultRun(broker, "crash", dir)) {
            // Static membership: a restarted instance takes its partitions back without waiting for
            // the session timeout of the one that died.
            JarProcess processor = run.startWithJobs(workload, Map.of("KAFKA_GROUP_INSTANCE_ID", "crash-a"));
            List<Command> commands = workload.next(COMMANDS);
            run.startProgress(new ProgressLoad(SEED, workload), PROGRESS);
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
        Workload workload = new Workload(SEED + 1, 1_000, suite.t0, 10);
        try (FaultRun run = new FaultRun(broker, "broker", dir)) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<Command> commands = workload.next(COMMANDS / 2);
            run.startProgress(new ProgressLoad(SEED + 1, workload), PROGRESS);
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
        Workload workload = new Workload(SEED + 2, 1_000, suite.t0, 10);
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
            run.startProgress(new ProgressLoad(SEED + 2, workload), PROGRESS);
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
        stopAndStartAgain("clean restart", SEED + 3, false, "SIGTERM (exit status 0), then started again");
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
        Workload workload = new Workload(seed, 500, suite.t0, 10);
        try (FaultRun run = new FaultRun(broker, scenario.replace(' ', '-'), dir)) {
            JarProcess processor = run.startWithJobs(workload, Map.of());
            List<Command> commands = new ArrayList<>(workload.next(COMMANDS / 10));
            run.startProgress(new ProgressLoad(seed, workload), PROGRESS);
            run.publishCommands(commands);
            run.awaitSettled(commands.size());

            assertThat(processor.terminate()).as("exit status after SIGTERM, once closed cleanly").isZero();
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
     * Waits until every command is answered, stops the workers' reports and waits until they are
     * processed; checks the outcomes, the store (read through {@code answering}), each job's
     * generation and last state, and every job state and dead letter against the model; records the
     * scenario's row, and asserts it clean.
     */
    private static void settleAndCheck(FaultRun run, Workload workload, List<Command> commands, JarProcess answering,
                                       String scenario, String faults, Supplier<String> recovery) {
        run.awaitSettled(commands.size());
        ProgressLoad progress = run.stopProgress();
        Map<String, Long> generations = workload.generations();
        Map<String, ObjectNode> expected = progress.expectedStore(workload.expectedStore(), generations);
        run.awaitProgress(expected, generations);
        Verdict outcomes = run.verify(commands);
        Verdict store = run.verifyStore(answering, expected, generations);
        Verdict reports = run.verifyProgress(workload.jobs(), generations);
        suite.record(scenario, faults, outcomes, store, reports, recovery.get());
        assertClean(outcomes, store, reports);
    }
}
