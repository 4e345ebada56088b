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
 */
final class EarlyCommits {
    private final long withinMs;
    private final long minGapMs;
    /** When a processor on this stream thread last asked for a commit; the wall clock, in ms. */
    private final ThreadLocal<long[]> askedAt = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE / 2});

    EarlyCommits(FreshCommits policy) {
        this.withinMs = policy.within().toMillis();
        this.minGapMs = Math.max(1, policy.minGap().toMillis());
    }

    /** The part of one processor instance: {@link Part#init} it with the processor. */
    Part part() {
        return new Part();
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
            long now = context.currentSystemTimeMs();
            if (now - recordTime > withinMs) {
                return; // a backlog's: the commit interval takes it, with many others
            }
            long[] asked = askedAt.get();
            if (now - asked[0] >= minGapMs) {
                ask(asked, now);
            } else if (punctuation == null) {
                pendingSince = now;
                punctuation = context.schedule(Duration.ofMillis(asked[0] + minGapMs - now), PunctuationType.WALL_CLOCK_TIME,
                        this::punctuate);
            }
        }

        private void punctuate(long now) {
            long[] asked = askedAt.get();
            if (asked[0] > pendingSince) {
                stop(); // another processor of this thread asked after this answer: its commit took it
            } else if (now - asked[0] >= minGapMs) {
                ask(asked, now);
            }
        }

        private void ask(long[] asked, long now) {
            context.commit();
            asked[0] = now;
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
