package cdn.preload.streams;

import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers each command on the job's partition: a replay gets the remembered answer (step 3);
 * otherwise the reset is decided against the stored job (steps 4 to 7), the store is updated and
 * the answer remembered. An accepted reset writes the job store and the answers store once each.
 */
final class ResetProcessor implements Processor<byte[], Checked, byte[], Outcome> {
    private final RateLimit rateLimit;
    private final long replayRetentionMs;
    private final ResetObserver observer;
    private ProcessorContext<byte[], Outcome> context;
    private KeyValueStore<String, StoredJob> jobs;
    private WindowStore<Bytes, byte[]> answers;

    ResetProcessor(RateLimit rateLimit, long replayRetentionMs, ResetObserver observer) {
        this.rateLimit = rateLimit;
        this.replayRetentionMs = replayRetentionMs;
        this.observer = observer;
    }

    @Override
    public void init(ProcessorContext<byte[], Outcome> context) {
        this.context = context;
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        answers = context.getStateStore(ResetTopology.ANSWER_STORE);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        long start = System.nanoTime();
        Outcome outcome;
        if (record.value() instanceof Checked.Valid valid) {
            ResetCommand command = valid.command();
            Bytes answerKey = Answers.key(command);
            byte[] remembered = remembered(answerKey, record.timestamp());
            if (remembered != null) {
                ErrorCode error = Answers.errorOf(remembered);
                outcome = Answers.replay(remembered, error, command);
                observer.answered(command.requestId(), command.id(), error, true, System.nanoTime() - start);
            } else {
                outcome = answer(command, answerKey, record.timestamp(), start);
            }
        } else {
            Checked.Rejected rejected = (Checked.Rejected) record.value();
            outcome = Outcome.error(Json.write(rejected.error()));
            observer.answered(rejected.error().requestId(), rejected.error().id(), rejected.code(), false,
                    System.nanoTime() - start);
        }
        // Answers are ours: none of the command's headers is carried over.
        context.forward(record.withValue(outcome).withHeaders(new RecordHeaders()));
    }

    private byte[] remembered(Bytes answerKey, long timestamp) {
        long from = Math.max(0, timestamp - replayRetentionMs + 1);
        try (WindowStoreIterator<byte[]> found = answers.fetch(answerKey, from, Long.MAX_VALUE)) {
            return found.hasNext() ? found.next().value : null;
        }
    }

    private Outcome answer(ResetCommand command, Bytes answerKey, long timestamp, long start) {
        Decision decision = ResetDecision.decide(jobs.get(command.id()), command, timestamp, rateLimit);
        if (decision instanceof Decision.Accepted accepted) {
            jobs.put(command.id(), accepted.updated());
            byte[] snapshot = Json.write(new Snapshot(command.requestId(), accepted.updated().job()));
            answers.put(answerKey, snapshot, timestamp);
            observer.answered(command.requestId(), command.id(), null, false, System.nanoTime() - start);
            return Outcome.snapshot(snapshot);
        }
        ErrorCode error = ((Decision.Rejected) decision).error();
        answers.put(answerKey, Answers.rememberError(error), timestamp);
        observer.answered(command.requestId(), command.id(), error, false, System.nanoTime() - start);
        return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
    }
}
