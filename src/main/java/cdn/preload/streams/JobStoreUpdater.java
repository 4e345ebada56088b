package cdn.preload.streams;

import cdn.preload.domain.ProgressDecision;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the job store in step with the jobs topic, on the job's partition: a job not stored is
 * stored as it is, at generation 0; a stored one takes the record's fields, its counters only from
 * the job's current generation ({@link ProgressDecision#ofJobRecord}: its reset history and
 * generation stay); a tombstone deletes it. Every change publishes the job's state (a tombstone for
 * a deletion); a record that changes nothing publishes nothing; a record whose header names a
 * generation ahead of the job's is a dead letter. The version the job had is kept for the replays
 * of snapshots that showed it (see {@link ReplayMemory#keepVersion}). The records arrive checked
 * ({@link JobChecker}), keyed by the job's Id.
 */
final class JobStoreUpdater implements Processor<byte[], Checked, byte[], Encoded> {
    private final Duration replayRetention;
    private final TopicLayout layout;
    private final ResetObserver observer;
    private ProcessorContext<byte[], Encoded> context;
    private KeyValueStore<String, StoredJob> jobs;
    private ReplayMemory memory;

    JobStoreUpdater(Duration replayRetention, TopicLayout layout, ResetObserver observer) {
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
        String id = new String(record.key(), StandardCharsets.US_ASCII);
        Checked.JobChange change = (Checked.JobChange) record.value();
        StoredJob current = jobs.get(id);
        // Superseded now: no later than stream time, so that every answer that showed this version
        // (given at a record time up to stream time) is forgotten before the version is.
        long supersededAt = Math.max(record.timestamp(), context.currentStreamTimeMs());
        if (change.job() == null) {
            if (current != null) {
                memory.keepVersion(id, current, supersededAt);
                jobs.delete(id);
                forward(record, JobState.DELETED);
            }
            return;
        }
        ProgressDecision.Result result = ProgressDecision.ofJobRecord(current, change.job(), change.document(),
                change.generation());
        if (result instanceof ProgressDecision.Applied applied) {
            if (current != null) {
                memory.keepVersion(id, current, supersededAt);
            }
            jobs.put(id, applied.updated());
            forward(record, JobState.of(applied.updated()));
        } else if (result instanceof ProgressDecision.Ahead ahead) {
            // Only a job of a generation above 0 can be ahead: the checker kept its origin.
            context.forward(DeadLetter.of(change.origin(), record.headers(), record.timestamp(),
                    InvalidJobException.class.getName(), ahead.problem(), layout.maxDeadLetterBytes()));
            observer.deadLettered("jobs", ahead.problem());
        }
    }

    private void forward(Record<byte[], Checked> record, JobState state) {
        context.forward(new Record<>(record.key(), state, record.timestamp(), new RecordHeaders()));
    }
}
