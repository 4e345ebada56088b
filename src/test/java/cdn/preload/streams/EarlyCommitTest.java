package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Early commits (COMMIT_WHEN_FRESH): an answer to a command within that age of its record time asks
 * Kafka Streams for a commit at once, so that its caller sees it without waiting for the commit
 * interval, but at most once every minimum gap of its stream thread: one that comes sooner is
 * committed by a wall-clock punctuation when the gap is over, unless another task asked after it. An older command (a backlog's) leaves the commit to the
 * interval. A nearly idle thread's gap is shorter, so that a re-routed command's answer need not
 * wait a whole gap after the commit that took the command to its job's partition. The driver commits after every record, so these are the processors on their own, in
 * Kafka Streams' mock context, with its clock.
 */
class EarlyCommitTest {
    private static final byte[] KEY = EXAMPLE_ID.getBytes(StandardCharsets.US_ASCII);
    private static final long NOW = 1_700_000_000_000L;
    private static final FreshCommits FRESH = new FreshCommits(Duration.ofMillis(50), Duration.ofMillis(10));

    @Test
    void aFreshAnswerAsksForACommitAndABacklogsDoesNot() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = processor(context, FRESH);

        processor.process(command("r-old", NOW - 60_000));
        assertThat(context.committed()).as("a command a minute old").isFalse();
        processor.process(command("r-at-the-limit", NOW - 51));
        assertThat(context.committed()).as("51 ms old").isFalse();

        processor.process(command("r-fresh", NOW - 50));
        assertThat(context.committed()).as("50 ms old").isTrue();
        assertThat(answers(context)).hasSize(3);
    }

    @Test
    void aFreshAnswerWithinTheGapIsCommittedByThePunctuationOnceTheGapIsOver() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = justCommittedUnderLoad(context);

        answerAt(context, processor, NOW + 4, "r-2");
        assertThat(context.committed()).as("4 ms after the last early commit").isFalse();
        punctuate(context, NOW + 9);
        assertThat(context.committed()).as("the gap not yet over").isFalse();

        punctuate(context, NOW + 10);
        assertThat(context.committed()).as("the gap over").isTrue();
        context.resetCommit();
        punctuate(context, NOW + 30);
        assertThat(context.committed()).as("nothing pending").isFalse();
        assertThat(context.scheduledPunctuators()).as("the pending answer's punctuation, done")
                .filteredOn(MockProcessorContext.CapturedPunctuator::cancelled).hasSize(1);

        answerAt(context, processor, NOW + 31, "r-3");
        assertThat(context.committed()).as("a fresh answer after the gap").isTrue();
    }

    @Test
    void theGapIsTheStreamThreadsWhichCommitsAllItsTasksWhicheverAsks() {
        EarlyCommits thread = new EarlyCommits(FRESH);
        MockProcessorContext<byte[], Encoded> first = started();
        MockProcessorContext<byte[], Encoded> second = started();
        ResetProcessor one = processor(first, thread);
        ResetProcessor other = processor(second, thread);
        backlog(one, EarlyCommits.LIGHT_ANSWERS_PER_WINDOW); // more than a nearly idle thread's answers
        one.process(command("r-1", NOW));
        assertThat(first.committed()).isTrue();

        answerAt(second, other, NOW + 3, "r-2");
        assertThat(second.committed()).as("within the thread's gap").isFalse();
        answerAt(first, one, NOW + 12, "r-3");
        assertThat(first.committed()).as("after the gap").isTrue();

        punctuate(second, NOW + 13);
        assertThat(second.committed()).as("the first task's commit took the second's answer too").isFalse();
        assertThat(second.scheduledPunctuators()).filteredOn(MockProcessorContext.CapturedPunctuator::cancelled).hasSize(1);
    }

    @Test
    void aNearlyIdleThreadKeepsAShorterGap() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = justCommitted(context);

        answerAt(context, processor, NOW + 1, "r-2");
        assertThat(context.committed()).as("1 ms after the last early commit").isFalse();
        punctuate(context, NOW + EarlyCommits.LIGHT_GAP_MS);
        assertThat(context.committed()).as("the light gap over").isTrue();

        context.resetCommit();
        answerAt(context, processor, NOW + 2 + EarlyCommits.LIGHT_GAP_MS, "r-3");
        assertThat(context.committed()).as("a fresh answer a light gap after the last early commit").isTrue();
    }

    @Test
    void aReroutedCommandsAnswerFollowsTheCommitThatTookItHomeALightGapLater() {
        EarlyCommits thread = new EarlyCommits(FRESH);
        MockProcessorContext<byte[], Checked> checking = new MockProcessorContext<>(StreamsDefaults.properties());
        CommandChecker checker = checker(checking, thread);
        MockProcessorContext<byte[], Encoded> resetting = started();
        ResetProcessor processor = processor(resetting, thread);

        checker.process(unkeyedCommand("r-1"));
        assertThat(checking.committed()).as("the command on its way to its job's partition").isTrue();

        answerAt(resetting, processor, NOW + 4, "r-1"); // read back from the repartition topic once committed
        assertThat(resetting.committed()).as("its answer, 4 ms later").isTrue();
    }

    @Test
    void underLoadAReroutedCommandsAnswerWaitsForTheWholeGap() {
        EarlyCommits thread = new EarlyCommits(FRESH);
        MockProcessorContext<byte[], Encoded> resetting = started();
        ResetProcessor processor = processor(resetting, thread);
        backlog(processor, EarlyCommits.LIGHT_ANSWERS_PER_WINDOW);
        MockProcessorContext<byte[], Checked> checking = new MockProcessorContext<>(StreamsDefaults.properties());
        CommandChecker checker = checker(checking, thread);

        checker.process(unkeyedCommand("r-1"));
        assertThat(checking.committed()).isTrue();

        answerAt(resetting, processor, NOW + 4, "r-1");
        assertThat(resetting.committed()).as("%d answers in the window, 4 ms after the last early commit",
                EarlyCommits.LIGHT_ANSWERS_PER_WINDOW + 2).isFalse();
        punctuate(resetting, NOW + 10);
        assertThat(resetting.committed()).as("the gap over").isTrue();
    }

    @Test
    void aBusyThreadLeavesItsCommitsToTheIntervalUntilAWindowOfItsIsQuiet() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = justCommitted(context); // the first answer of a window that begins at NOW

        context.setCurrentSystemTimeMs(NOW + 1); // within even a nearly idle thread's gap
        for (int i = 0; i < EarlyCommits.MAX_ANSWERS_PER_WINDOW; i++) {
            processor.process(command("r-busy-" + i, NOW + 1));
        }
        punctuate(context, NOW + 10);
        assertThat(context.committed()).as("%d answers in the window", EarlyCommits.MAX_ANSWERS_PER_WINDOW + 1).isFalse();
        answerAt(context, processor, NOW + 60, "r-later-in-the-window");
        assertThat(context.committed()).as("a gap later, the same window").isFalse();

        answerAt(context, processor, NOW + 150, "r-next-window");
        assertThat(context.committed()).as("the window after a busy one").isFalse();

        answerAt(context, processor, NOW + 260, "r-after-a-quiet-window");
        assertThat(context.committed()).as("after a window of one answer").isTrue();
    }

    @Test
    void aThreadBusyOverItsLastWindowStaysBusyThroughAGapOfFewAnswers() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = justCommitted(context);
        for (int ms = 1; ms < EarlyCommits.BUSY_WINDOW_MS; ms++) { // 20 answers a ms: 20,000 a second
            context.setCurrentSystemTimeMs(NOW + ms);
            for (int i = 0; i < 20; i++) {
                processor.process(command("r-" + ms + "-" + i, NOW + ms));
            }
        }
        context.resetCommit();

        // a gap in which the thread answered few (it was committing, or waiting for a CPU)
        answerAt(context, processor, NOW + 100, "r-few");
        punctuate(context, NOW + 112);
        answerAt(context, processor, NOW + 112, "r-after-the-gap");

        assertThat(context.committed()).as("two answers in the gap, after 1,981 in the window before").isFalse();
    }

    @Test
    void aBacklogsAnswersCountToHowBusyTheThreadIs() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = justCommitted(context);

        context.setCurrentSystemTimeMs(NOW + 5);
        for (int i = 0; i < EarlyCommits.MAX_ANSWERS_PER_WINDOW; i++) {
            processor.process(command("r-old-" + i, NOW - 60_000));
        }
        answerAt(context, processor, NOW + 10, "r-fresh");
        assertThat(context.committed()).as("a fresh answer after %d old ones", EarlyCommits.MAX_ANSWERS_PER_WINDOW).isFalse();
    }

    @Test
    void offItNeverAsksAndSchedulesNothing() {
        MockProcessorContext<byte[], Encoded> context = started();
        ResetProcessor processor = processor(context, FreshCommits.OFF);
        int purge = context.scheduledPunctuators().size();

        processor.process(command("r-fresh", NOW));

        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).as("only the replay memory's purge").hasSize(purge).hasSize(1);
        assertThat(answers(context)).hasSize(1);
    }

    @Test
    void aCommandRefusedBeforeAnyLookupIsCommittedEarlyToo() {
        MockProcessorContext<byte[], Checked> context = new MockProcessorContext<>(StreamsDefaults.properties());
        CommandChecker checker = checker(context);

        checker.process(new Record<>(KEY, "{\"RequestId\":\"r-1\",\"Id\":\"no-such-id\",\"AliUid\":\"u\"}"
                .getBytes(StandardCharsets.UTF_8), NOW));

        assertThat(context.forwarded()).singleElement().satisfies(forwarded ->
                assertThat(forwarded.record().value()).isInstanceOf(Checked.Refused.class));
        assertThat(context.committed()).as("its 400 answer").isTrue();
    }

    @Test
    void aCommandOnItsWayToItsJobsPartitionIsCommittedEarlySoThatTheResetStepSeesIt() {
        MockProcessorContext<byte[], Checked> context = new MockProcessorContext<>(StreamsDefaults.properties());
        CommandChecker checker = checker(context);

        // no key: re-routed, keyed by its Id, through the repartition topic, which is read committed
        checker.process(unkeyedCommand("r-1"));

        assertThat(context.forwarded()).singleElement().satisfies(forwarded ->
                assertThat(((Checked.Command) forwarded.record().value()).elsewhere()).isTrue());
        assertThat(context.committed()).isTrue();

        context.resetCommit();
        context.setCurrentSystemTimeMs(NOW + 20);
        checker.process(new Record<>(KEY, ("{\"RequestId\":\"r-2\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"u\"}")
                .getBytes(StandardCharsets.UTF_8), NOW + 20));
        assertThat(context.committed()).as("a command already home: its answer asks, in the reset step").isFalse();
    }

    @Test
    void aJobOnItsWayToItsJobsPartitionIsCommittedEarlySoThatTheCommandsThatFollowFindIt() {
        MockProcessorContext<byte[], Checked> context = new MockProcessorContext<>(StreamsDefaults.properties());
        context.setCurrentSystemTimeMs(NOW);
        JobChecker checker = new JobChecker(new TopicLayout(2, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES), ResetObserver.NONE, new EarlyCommits(FRESH));
        checker.init(context);
        int home = TopicLayout.partitionOf(KEY, 2);
        byte[] job = Json.write(Examples.EXAMPLE_JOB);

        context.setRecordMetadata("preload-jobs", 1 - home, 7);
        checker.process(new Record<>(KEY, job, NOW));
        assertThat(((Checked.JobChange) context.forwarded().get(0).record().value()).elsewhere()).isTrue();
        assertThat(context.committed()).isTrue();

        context.resetCommit();
        context.setCurrentSystemTimeMs(NOW + 20);
        context.setRecordMetadata("preload-jobs", home, 8);
        checker.process(new Record<>(KEY, job, NOW + 20));
        assertThat(context.committed()).as("a job already home is in its store at once").isFalse();
    }

    /** A command checker of {@link #FRESH} reading offset 7 of the commands topic, at {@link #NOW}. */
    private static CommandChecker checker(MockProcessorContext<byte[], Checked> context) {
        return checker(context, new EarlyCommits(FRESH));
    }

    /** As {@link #checker(MockProcessorContext)}, on a stream thread's early commits. */
    private static CommandChecker checker(MockProcessorContext<byte[], Checked> context, EarlyCommits thread) {
        context.setCurrentSystemTimeMs(NOW);
        context.setRecordMetadata("preload-job-reset-commands", 0, 7);
        CommandChecker checker = new CommandChecker(TopicLayout.TEST_DRIVER, ResetObserver.NONE, thread);
        checker.init(context);
        return checker;
    }

    /** A command for the example job at {@link #NOW} with no key: re-routed, keyed by its Id. */
    private static Record<byte[], byte[]> unkeyedCommand(String requestId) {
        return new Record<>(null, ("{\"RequestId\":\"" + requestId + "\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"u\"}")
                .getBytes(StandardCharsets.UTF_8), NOW);
    }

    /** A fresh command's answer at {@code now}: the command stamped then. */
    private static void answerAt(MockProcessorContext<?, ?> context, ResetProcessor processor, long now, String requestId) {
        context.setCurrentSystemTimeMs(now);
        processor.process(command(requestId, now));
    }

    private static void punctuate(MockProcessorContext<?, ?> context, long now) {
        context.setCurrentSystemTimeMs(now);
        for (MockProcessorContext.CapturedPunctuator punctuator : context.scheduledPunctuators()) {
            // the pending answer's (the replay memory's purge is not due)
            if (punctuator.getType() == PunctuationType.WALL_CLOCK_TIME && !punctuator.cancelled()
                    && punctuator.getInterval().compareTo(FRESH.minGap()) <= 0) {
                punctuator.getPunctuator().punctuate(now);
            }
        }
    }

    /** The answers forwarded, without the job states that accepted resets publish beside them. */
    private static List<Outcome> answers(MockProcessorContext<byte[], Encoded> context) {
        return context.forwarded().stream().map(forwarded -> forwarded.record().value())
                .filter(Outcome.class::isInstance).map(Outcome.class::cast).toList();
    }

    private static MockProcessorContext<byte[], Encoded> started() {
        MockProcessorContext<byte[], Encoded> context = new MockProcessorContext<>(StreamsDefaults.properties());
        context.setCurrentSystemTimeMs(NOW);
        KeyValueStore<String, StoredJob> jobs = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ResetTopology.JOB_STORE),
                Serdes.String(), StoredJobFormat.serde()).withLoggingDisabled().build();
        KeyValueStore<Bytes, byte[]> answers = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ResetTopology.ANSWER_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        jobs.init(context.getStateStoreContext(), jobs);
        answers.init(context.getStateStoreContext(), answers);
        context.addStateStore(jobs);
        context.addStateStore(answers);
        jobs.put(EXAMPLE_ID, StoredJob.of(Examples.EXAMPLE_JOB));
        return context;
    }

    /** A processor of {@link #FRESH} whose first answer, at {@link #NOW}, asked for an early commit (reset since). */
    private static ResetProcessor justCommitted(MockProcessorContext<byte[], Encoded> context) {
        ResetProcessor processor = processor(context, FRESH);
        processor.process(command("r-first", NOW));
        assertThat(context.committed()).as("the first fresh answer").isTrue();
        context.resetCommit();
        return processor;
    }

    /**
     * As {@link #justCommitted}, on a thread that is not nearly idle: {@value EarlyCommits#LIGHT_ANSWERS_PER_WINDOW}
     * answers to a backlog's commands came first in the window.
     */
    private static ResetProcessor justCommittedUnderLoad(MockProcessorContext<byte[], Encoded> context) {
        ResetProcessor processor = processor(context, FRESH);
        backlog(processor, EarlyCommits.LIGHT_ANSWERS_PER_WINDOW);
        processor.process(command("r-first", NOW));
        assertThat(context.committed()).as("the first fresh answer").isTrue();
        context.resetCommit();
        return processor;
    }

    /** Answers {@code count} commands a minute old: they count to how busy the thread is and ask for no commit. */
    private static void backlog(ResetProcessor processor, int count) {
        for (int i = 0; i < count; i++) {
            processor.process(command("r-backlog-" + i, NOW - 60_000));
        }
    }

    private static ResetProcessor processor(MockProcessorContext<byte[], Encoded> context, FreshCommits freshCommits) {
        return processor(context, new EarlyCommits(freshCommits));
    }

    private static ResetProcessor processor(MockProcessorContext<byte[], Encoded> context, EarlyCommits earlyCommits) {
        // the rate limit lifted: each command here is a reset of the same job
        ResetProcessor processor = new ResetProcessor(new RateLimit(1000, Duration.ofMinutes(1)), Duration.ofHours(24),
                ResetObserver.NONE, earlyCommits);
        processor.init(context);
        context.setCurrentStreamTimeMs(0); // Kafka Streams sets it before each record: here, no record is later than its own time
        return processor;
    }

    private static Record<byte[], Checked> command(String requestId, long timestamp) {
        return new Record<>(KEY, new Checked.Command(new ResetCommand(requestId, EXAMPLE_ID, EXAMPLE_UID), false), timestamp);
    }
}
