package cdn.preload.streams;

import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Answers each command on the job's partition: a replay gets the remembered answer (step 3);
 * otherwise the reset is decided against the stored job (steps 4 to 7), the store is updated and
 * the answer remembered. An accepted reset writes the job store and the answers store once each.
 *
 * <p>An answer is remembered for the replay retention, in record time: a command at time t finds
 * the answers given at times after t - retention. Older ones are ignored when found, and deleted
 * by a punctuation that scans the store each retention/24 of stream time, so that the store holds
 * about one retention of answers.
 */
final class ResetProcessor implements Processor<byte[], Checked, byte[], Outcome> {
    private final RateLimit rateLimit;
    private final long replayRetentionMs;
    private final ResetObserver observer;
    private ProcessorContext<byte[], Outcome> context;
    private KeyValueStore<String, StoredJob> jobs;
    private KeyValueStore<Bytes, byte[]> answers;

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
        context.schedule(Duration.ofMillis(Math.max(1, replayRetentionMs / 24)), PunctuationType.STREAM_TIME,
                this::forgetExpired);
    }

    /** Deletes the answers that no command at {@code streamTime} or later can replay any more. */
    private void forgetExpired(long streamTime) {
        long expiredUpTo = streamTime - replayRetentionMs;
        List<Bytes> expired = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = answers.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> answer = all.next();
                if (Answers.timeOf(answer.value) <= expiredUpTo) {
                    expired.add(answer.key);
                }
            }
        }
        expired.forEach(answers::delete);
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
        byte[] found = answers.get(answerKey);
        return found != null && Answers.timeOf(found) > timestamp - replayRetentionMs ? found : null;
    }

    private Outcome answer(ResetCommand command, Bytes answerKey, long timestamp, long start) {
        Decision decision = ResetDecision.decide(jobs.get(command.id()), command, timestamp, rateLimit);
        if (decision instanceof Decision.Accepted accepted) {
            jobs.put(command.id(), accepted.updated());
            byte[] snapshot = Json.write(new Snapshot(command.requestId(), accepted.updated().job()));
            answers.put(answerKey, Answers.rememberSnapshot(timestamp, snapshot));
            observer.answered(command.requestId(), command.id(), null, false, System.nanoTime() - start);
            return Outcome.snapshot(snapshot);
        }
        ErrorCode error = ((Decision.Rejected) decision).error();
        answers.put(answerKey, Answers.rememberError(timestamp, error));
        observer.answered(command.requestId(), command.id(), error, false, System.nanoTime() - start);
        return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
    }
}
