package cdn.preload.streams;

import cdn.preload.domain.InvalidProgressException;
import cdn.preload.domain.ProgressDecision;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ResetObserver.ProgressOutcome;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Applies each well-formed progress report on its job's partition, the one owner of the job's
 * progress (steps 2 to 5): {@link ProgressDecision#ofReport} against the stored job; an applied
 * report updates the store and publishes the job's state, a report of a generation ahead of the
 * job's is a dead letter, the others change nothing. The version a snapshot may have shown is kept
 * for replays before the job's progress moves off zero ({@link ReplayMemory#keepVersion}).
 */
final class ProgressProcessor extends JobOwner {

    ProgressProcessor(Duration replayRetention, TopicLayout layout, ResetObserver observer) {
        super(replayRetention, layout, observer);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        // The topology sends only well-formed reports here (see ResetTopology).
        Checked.Progress progress = (Checked.Progress) record.value();
        String id = progress.report().id();
        StoredJob current = jobs.get(id);
        ProgressDecision.Result result = ProgressDecision.ofReport(current, progress.report());
        if (result instanceof ProgressDecision.Applied applied) {
            memory.keepVersion(id, current, supersededAt(record));
            jobs.put(id, applied.updated());
            publish(record, JobState.of(applied.updated()));
            observer.progress(ProgressOutcome.APPLIED);
        } else if (result instanceof ProgressDecision.Ahead ahead) {
            deadLetter(record, progress.origin(), InvalidProgressException.class.getName(), ahead.problem());
            observer.deadLettered("progress", ahead.problem());
            observer.progress(ProgressOutcome.DEAD_LETTERED);
        } else {
            observer.progress(result instanceof ProgressDecision.Unchanged ? ProgressOutcome.UNCHANGED : ProgressOutcome.FENCED);
        }
    }
}
