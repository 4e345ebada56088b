package cdn.preload.streams;

import cdn.preload.domain.Job;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the job store in step with the jobs topic: an upsert replaces the job (its reset history
 * stays), a tombstone deletes it. Snapshots remembered for replays as the job's are written out
 * whole before the job changes. A job that cannot be parsed, or stored under its key, is thrown
 * out to the dead letter queue (through the processing exception handler, like a bad command).
 */
final class JobStoreUpdater implements Processor<String, byte[], Void, Void> {
    /**
     * The largest job stored (256 KiB). A job travels whole in every snapshot and in the answers
     * remembered for replays; a larger one would make those records too large for their topics.
     */
    static final int MAX_JOB_BYTES = 256 * 1024;

    private final ResetObserver observer;
    private KeyValueStore<String, StoredJob> jobs;
    private KeyValueStore<Bytes, byte[]> answers;

    JobStoreUpdater(ResetObserver observer) {
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        answers = context.getStateStore(ResetTopology.ANSWER_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        try {
            store(record.key(), record.value());
        } catch (InvalidJobException e) {
            observer.deadLettered("jobs", e.getMessage());
            throw e; // to the dead letter queue, through the processing exception handler
        }
    }

    private void store(String key, byte[] value) {
        if (key == null) {
            throw new InvalidJobException("The job record has no key; it must be the job's Id.");
        }
        if (value == null) {
            StoredJob current = jobs.get(key);
            if (current != null) {
                Answers.keepSnapshots(answers, key, current);
                jobs.delete(key);
            }
            return;
        }
        if (value.length > MAX_JOB_BYTES) {
            throw new InvalidJobException("The job is " + value.length + " bytes long; at most " + MAX_JOB_BYTES
                    + " are accepted.");
        }
        Job job;
        try {
            job = Json.read(value, Job.class);
        } catch (SerializationException e) {
            throw new InvalidJobException(e.getMessage());
        }
        if (job == null) { // the JSON literal null
            throw new InvalidJobException("The job must be a JSON object, not null.");
        }
        if (!JobId.isValid(job.id())) {
            throw new InvalidJobException("The job's Id must be 24 lower-case hexadecimal digits.");
        }
        if (!job.id().equals(key)) {
            throw new InvalidJobException("The job's Id " + job.id() + " does not match the record key.");
        }
        StoredJob current = jobs.get(key);
        StoredJob updated = current == null ? StoredJob.of(job) : current.withJob(job);
        if (current != null && !current.sameDocument(updated)) {
            Answers.keepSnapshots(answers, key, current);
        }
        jobs.put(key, updated);
    }
}
