package cdn.preload.streams;

import cdn.preload.domain.ProgressDecision;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the job store in step with the jobs topic, on the job's partition: a job not stored is
 * stored as it is, at generation 0; a stored one takes the record's fields, its counters only from
 * the job's current generation ({@link ProgressDecision#ofJobRecord}: its reset history and
 * generation stay); a tombstone deletes it. Every change publishes the job's state (a tombstone for
 * a deletion); a record that changes nothing publishes nothing; a record whose header names a
 * generation ahead of the job's is a dead letter. The version the job had is kept for the replays
 * of snapshots that showed it (see {@link ReplayMemory#keepVersion}). The records arrive checked
 * ({@link JobChecker}), keyed by the job's Id.
 *
 * <p>It is the one processor that changes a job's site, account or creation time, so it keeps the
 * index of jobs by site ({@link JobIndex}) in step, in the same transaction as the job store.
 */
final class JobStoreUpdater extends JobOwner {
    private static final Logger LOG = LoggerFactory.getLogger(JobStoreUpdater.class);
    private KeyValueStore<Bytes, byte[]> index;

    JobStoreUpdater(Duration replayRetention, TopicLayout layout, ResetObserver observer) {
        super(replayRetention, layout, observer);
    }

    @Override
    public void init(ProcessorContext<byte[], Encoded> context) {
        super.init(context);
        index = context.getStateStore(ResetTopology.JOB_INDEX);
        // Not here: a write in init() would open the transaction before the task runs. A punctuation
        // writes within the stream thread's transactions, as a record does; until it has run, a list
        // of this partition is refused as a change under way.
        Cancellable[] once = new Cancellable[1];
        once[0] = context.schedule(JobIndex.BUILD_DELAY, PunctuationType.WALL_CLOCK_TIME, now -> {
            once[0].cancel();
            long indexed = JobIndex.buildIfNew(jobs, index);
            if (indexed > 0) {
                LOG.info("Task {}: indexed {} jobs stored before the index of jobs by site existed", context.taskId(), indexed);
            }
        });
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        String id = new String(record.key(), StandardCharsets.US_ASCII);
        Checked.JobChange change = (Checked.JobChange) record.value();
        StoredJob current = jobs.get(id);
        if (change.job() == null) {
            if (current != null) {
                memory.keepVersion(id, current, supersededAt(record));
                JobIndex.update(index, current.job(), null);
                jobs.delete(id);
                publish(record, JobState.DELETED);
            }
            return;
        }
        ProgressDecision.Result result = ProgressDecision.ofJobRecord(current, change.job(), change.document(),
                change.generation());
        if (result instanceof ProgressDecision.Applied applied) {
            if (current != null) {
                memory.keepVersion(id, current, supersededAt(record));
            }
            jobs.put(id, applied.updated());
            JobIndex.update(index, current == null ? null : current.job(), applied.updated().job());
            publish(record, JobState.of(applied.updated()));
        } else if (result instanceof ProgressDecision.Ahead ahead) {
            // Only a job of a generation above 0 can be ahead: the checker kept its origin.
            deadLetter(record, change.origin(), InvalidJobException.class.getName(), ahead.problem());
            observer.deadLettered("jobs", ahead.problem());
        }
    }
}
