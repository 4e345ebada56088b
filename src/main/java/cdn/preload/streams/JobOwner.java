package cdn.preload.streams;

import cdn.preload.domain.StoredJob;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * What the processors that change a stored job on its partition from the jobs and progress topics
 * share: the stores, and the two things they write besides them: the job's state after a change,
 * and the dead letter of a record whose generation is ahead of the job's.
 */
abstract class JobOwner implements Processor<byte[], Checked, byte[], Encoded> {
    private final Duration replayRetention;
    private final TopicLayout layout;
    final ResetObserver observer;
    ProcessorContext<byte[], Encoded> context;
    KeyValueStore<String, StoredJob> jobs;
    ReplayMemory memory;

    JobOwner(Duration replayRetention, TopicLayout layout, ResetObserver observer) {
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

    /**
     * When a change supersedes the job's version: no later than stream time, so that every answer
     * that showed this version (given at a record time up to stream time) is forgotten before it is.
     */
    long supersededAt(Record<byte[], Checked> record) {
        return Math.max(record.timestamp(), context.currentStreamTimeMs());
    }

    /** Publishes the job's state after a change, keyed by its Id (the record's key), without headers. */
    void publish(Record<byte[], Checked> record, JobState state) {
        context.forward(new Record<>(record.key(), state, record.timestamp(), new RecordHeaders()));
    }

    /** Dead-letters the record that came as {@code origin}, with its own headers, for {@code problem}. */
    void deadLetter(Record<byte[], Checked> record, Origin origin, String exception, String problem) {
        context.forward(DeadLetter.of(origin, record.headers(), record.timestamp(), exception, problem,
                layout.maxDeadLetterBytes()));
    }
}
