package cdn.preload.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * {@link FreshCommits} for one topology. A stream thread commits all its tasks in one go (under
 * exactly-once, one transaction), whichever task asked, so the minimum gap is kept per thread:
 * each thread remembers when one of its processors last asked. A fresh answer within the gap is
 * left pending, and a wall-clock punctuation of its processor asks for its commit once the gap is
 * over, unless another processor of the thread asked after it. Kafka Streams makes a requested
 * commit after the records of the current round are processed, one or a few a task: asked for on
 * every fresh answer, under a steady load that would be a transaction for every few records.
 *
 * <p>A busy thread makes no early commits: when it gave more than {@value #MAX_ANSWERS_PER_WINDOW}
 * answers, fresh or not, within the current or the last {@value #BUSY_WINDOW_MS} ms (10,000 a
 * second), the commit interval's larger transactions are what keeps up with the load; committing
 * every gap, the processor fell behind at half its drain rate, its commands aged past the
 * threshold, and it went back and forth. The load is counted over a window of many gaps, not
 * over each gap: counted per gap, a thread answering 16,500 commands a second still made about 14
 * early commits a second, since a gap in which it committed, or waited for a CPU, held fewer
 * answers than came in.
 *
 * <p>A nearly idle thread keeps a shorter gap: while it gave at most {@value #LIGHT_ANSWERS_PER_WINDOW}
 * answers and re-routed records in the current window and in the one before (200 a second), the gap is at most
 * {@value #LIGHT_GAP_MS} ms. A command re-routed to its job's partition needs two commits in turn, the
 * re-routing's and its answer's; under the whole gap the second waited for the gap to end, most of a
 * re-routed command's wait at light load. Busier, the whole gap stays: a shorter one there made more
 * transactions than the processor and the broker keep up with (docs/PERFORMANCE.md).
 */
final class EarlyCommits {
    /** The window over which a stream thread's answers are counted to tell whether it is busy. */
    static final long BUSY_WINDOW_MS = 100;
    /** The most answers of one stream thread within a window for which it asks for early commits. */
    static final int MAX_ANSWERS_PER_WINDOW = 1_000;
    /** The most answers of one stream thread within a window for which it keeps the light gap. */
    static final int LIGHT_ANSWERS_PER_WINDOW = 20;
    /** The longest gap of a nearly idle stream thread. */
    static final long LIGHT_GAP_MS = 2;
    private static final int ASKED_AT = 0;
    private static final int WINDOW_START = 1;
    private static final int ANSWERS = 2;
    private static final int LAST_WINDOW_ANSWERS = 3;
    private final long withinMs;
    private final long minGapMs;
    private final long lightGapMs;
    /**
     * Per stream thread: when one of its processors last asked for a commit, or the last gap began,
     * and when its current window began (the wall clock, in ms); its answers in that window, and in
     * the window before it (none if that ended more than a window ago).
     */
    private final ThreadLocal<long[]> thread = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE / 2, 0, 0, 0});

    EarlyCommits(FreshCommits policy) {
        this.withinMs = policy.within().toMillis();
        this.minGapMs = Math.max(1, policy.minGap().toMillis());
        this.lightGapMs = Math.min(minGapMs, LIGHT_GAP_MS);
    }

    /** The gap of a thread: the light one while it is nearly idle. */
    private long gap(long[] state) {
        return state[ANSWERS] <= LIGHT_ANSWERS_PER_WINDOW && state[LAST_WINDOW_ANSWERS] <= LIGHT_ANSWERS_PER_WINDOW
                ? lightGapMs : minGapMs;
    }

    /** The part of one processor instance: {@link Part#init} it with the processor. */
    Part part() {
        return new Part();
    }

    private static void count(long[] state, long now) {
        long sinceWindowStart = now - state[WINDOW_START];
        if (sinceWindowStart >= BUSY_WINDOW_MS) {
            state[LAST_WINDOW_ANSWERS] = sinceWindowStart < 2 * BUSY_WINDOW_MS ? state[ANSWERS] : 0;
            state[WINDOW_START] = now;
            state[ANSWERS] = 0;
        }
        state[ANSWERS]++;
    }

    final class Part {
        private ProcessorContext<?, ?> context;
        /** The wall-clock time of this processor's oldest answer still waiting for a commit; or none. */
        private long pendingSince;
        private Cancellable punctuation;

        void init(ProcessorContext<?, ?> context) {
            this.context = context;
        }

        /**
         * A record of {@code recordTime} that a caller waits on was forwarded: its answer, or the
         * command itself on its way to its job's partition (re-routed, it reaches the reset step only
         * once committed).
         */
        void forwarded(long recordTime) {
            if (withinMs <= 0) {
                return;
            }
            long[] state = thread.get();
            long now = context.currentSystemTimeMs();
            count(state, now); // every answer counts to how busy the thread is, a backlog's too
            if (now - recordTime > withinMs) {
                return; // a backlog's: the commit interval takes it, with many others
            }
            long gap = gap(state);
            if (now - state[ASKED_AT] >= gap) {
                endGap(state, now);
            } else if (punctuation == null) {
                pendingSince = now;
                punctuation = context.schedule(Duration.ofMillis(state[ASKED_AT] + gap - now),
                        PunctuationType.WALL_CLOCK_TIME, this::punctuate);
            }
        }

        private void punctuate(long now) {
            long[] state = thread.get();
            if (state[ASKED_AT] > pendingSince) {
                stop(); // another processor of this thread asked after this answer, or found the thread busy
            } else if (now - state[ASKED_AT] >= gap(state)) {
                endGap(state, now);
            }
        }

        /** A gap is over: a commit now, unless the thread is busy (the interval's commit takes the answers). */
        private void endGap(long[] state, long now) {
            if (state[ANSWERS] <= MAX_ANSWERS_PER_WINDOW && state[LAST_WINDOW_ANSWERS] <= MAX_ANSWERS_PER_WINDOW) {
                context.commit();
            }
            state[ASKED_AT] = now;
            stop();
        }

        private void stop() {
            if (punctuation != null) {
                punctuation.cancel();
                punctuation = null;
            }
        }
    }
}
