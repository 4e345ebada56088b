package cdn.preload.streams;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * One processor's part in {@link FreshCommits}: told of each answer's record time, it asks Kafka
 * Streams for a commit when the answer is fresh and the last early commit is at least the minimum
 * gap ago. A fresh answer that comes sooner is left pending, and a wall-clock punctuation (every
 * minimum gap) asks for its commit. Kafka Streams makes a requested commit after the records of the
 * current round are processed, each task taking one or a few: asked for on every fresh answer, under
 * a steady load that is a transaction for every few records.
 */
final class EarlyCommit {
    private final long withinMs;
    private final long minGapMs;
    private ProcessorContext<?, ?> context;
    /** When this processor last asked for a commit; the wall clock, in ms. */
    private long askedAt = Long.MIN_VALUE / 2;
    private boolean pending;

    EarlyCommit(FreshCommits policy) {
        this.withinMs = policy.within().toMillis();
        this.minGapMs = Math.max(1, policy.minGap().toMillis());
    }

    void init(ProcessorContext<?, ?> context) {
        this.context = context;
        if (withinMs > 0) {
            context.schedule(Duration.ofMillis(minGapMs), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        }
    }

    /** An answer to a record of {@code recordTime} was forwarded. */
    void answered(long recordTime) {
        if (withinMs <= 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        if (now - recordTime > withinMs) {
            return; // a backlog's: the commit interval takes it, with many others
        }
        if (now - askedAt >= minGapMs) {
            ask(now);
        } else {
            pending = true;
        }
    }

    private void punctuate(long now) {
        if (pending && now - askedAt >= minGapMs) {
            ask(now);
        }
    }

    private void ask(long now) {
        context.commit();
        askedAt = now;
        pending = false;
    }
}
