package cdn.preload.streams;

import cdn.preload.domain.InvalidProgressException;
import cdn.preload.domain.ProgressDecision;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ResetObserver.ProgressOutcome;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Applies each well-formed progress report on its job's partition, the one owner of the job's
 * progress (steps 2 to 5): {@link ProgressDecision#ofReport} against the stored job; an applied
 * report updates the store and publishes the job's state, a report of a generation ahead of the
 * job's is a dead letter, the others change nothing. The version a snapshot may have shown is kept
 * for replays before the job's progress moves off zero ({@link ReplayMemory#keepVersion}).
 */
final class ProgressProcessor implements Processor<byte[], Checked, byte[], Encoded> {
    private final Duration replayRetention;
    private final TopicLayout layout;
    private final ResetObserver observer;
    private ProcessorContext<byte[], Encoded> context;
    private KeyValueStore<String, StoredJob> jobs;
    private ReplayMemory memory;

    ProgressProcessor(Duration replayRetention, TopicLayout layout, ResetObserver observer) {
        this.replayRetention = replayRetention;
        this.layout = layout;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<byte[], Encoded> context) {
        this.context = context;
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        memory = new ReplayMemory(context.getStateStore(ResetTopology.ANSWER_STORE), jobs, replayRetention);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        // The topology sends only well-formed reports here (see ResetTopology).
        Checked.Progress progress = (Checked.Progress) record.value();
        String id = progress.report().id();
        StoredJob current = jobs.get(id);
        ProgressDecision.Result result = ProgressDecision.ofReport(current, progress.report());
        if (result instanceof ProgressDecision.Applied applied) {
            memory.keepVersion(id, current, Math.max(record.timestamp(), context.currentStreamTimeMs()));
            jobs.put(id, applied.updated());
            context.forward(new Record<>(record.key(), JobState.of(applied.updated()), record.timestamp(), new RecordHeaders()));
            observer.progress(ProgressOutcome.APPLIED);
        } else if (result instanceof ProgressDecision.Ahead ahead) {
            context.forward(DeadLetter.of(progress.origin(), record.headers(), record.timestamp(),
                    InvalidProgressException.class.getName(), ahead.problem(), layout.maxDeadLetterBytes()));
            observer.deadLettered("progress", ahead.problem());
            observer.progress(ProgressOutcome.DEAD_LETTERED);
        } else {
            observer.progress(result instanceof ProgressDecision.Unchanged ? ProgressOutcome.UNCHANGED : ProgressOutcome.FENCED);
        }
    }
}
