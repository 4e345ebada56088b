package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the job store in step with the jobs topic, on the job's partition: an upsert replaces the
 * job (its reset history stays), a tombstone deletes it. Snapshots remembered for replays as the
 * job's are written out whole before the job changes. The records arrive checked ({@link JobChecker}),
 * keyed by the job's Id.
 */
final class JobStoreUpdater implements Processor<byte[], Checked, Void, Void> {
    private KeyValueStore<String, StoredJob> jobs;
    private KeyValueStore<Bytes, byte[]> answers;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        answers = context.getStateStore(ResetTopology.ANSWER_STORE);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        String id = new String(record.key(), StandardCharsets.US_ASCII);
        Checked.JobChange change = (Checked.JobChange) record.value();
        Job job = change.job();
        StoredJob current = jobs.get(id);
        if (job == null) {
            if (current != null) {
                Answers.keepSnapshots(answers, id, current);
                jobs.delete(id);
            }
            return;
        }
        StoredJob updated = current == null ? StoredJob.of(job, change.document()) : current.withJob(job, change.document());
        if (current != null && !current.sameDocument(updated)) {
            Answers.keepSnapshots(answers, id, current);
        }
        jobs.put(id, updated);
    }
}
