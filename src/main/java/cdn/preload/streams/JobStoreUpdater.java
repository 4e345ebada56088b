package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the job store in step with the jobs topic, on the job's partition: an upsert replaces the
 * job (its reset history stays), a tombstone deletes it. The version it had is kept for the replays
 * of snapshots that showed it (see {@link ReplayMemory#keepVersion}). The records arrive checked ({@link JobChecker}),
 * keyed by the job's Id.
 */
final class JobStoreUpdater implements Processor<byte[], Checked, Void, Void> {
    private final Duration replayRetention;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<String, StoredJob> jobs;
    private ReplayMemory memory;

    JobStoreUpdater(Duration replayRetention) {
        this.replayRetention = replayRetention;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        memory = new ReplayMemory(context.getStateStore(ResetTopology.ANSWER_STORE), jobs, replayRetention);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        String id = new String(record.key(), StandardCharsets.US_ASCII);
        Checked.JobChange change = (Checked.JobChange) record.value();
        Job job = change.job();
        StoredJob current = jobs.get(id);
        // Superseded now: no later than stream time, so that every answer that showed this version
        // (given at a record time up to stream time) is forgotten before the version is.
        long supersededAt = Math.max(record.timestamp(), context.currentStreamTimeMs());
        if (job == null) {
            if (current != null) {
                memory.keepVersion(id, current, supersededAt);
                jobs.delete(id);
            }
            return;
        }
        StoredJob updated = current == null ? StoredJob.of(job, change.document()) : current.withJob(job, change.document());
        if (current != null && !current.sameDocument(updated)) {
            memory.keepVersion(id, current, supersededAt);
        }
        jobs.put(id, updated);
    }
}
