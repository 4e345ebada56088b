package cdn.preload.streams;

import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.StoredJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Answers each valid command on the job's partition: a replay gets the remembered answer (step 3);
 * otherwise the reset is decided against the stored job (steps 4 to 7), the store is updated and
 * the answer remembered. An accepted reset writes the job store and the answers store once each; the
 * answer it remembers is a reference to the job's version, 25 bytes (see {@link Answers}).
 *
 * <p>An answer is remembered for the replay retention, in record time: a command at time t finds
 * the answers given at times after t - retention. Older ones are ignored when found, and deleted by
 * a punctuation that runs every minute of wall-clock time. Each run reads a slice of the store
 * where the last one stopped, at least 1,000 answers and enough to go round the whole store in 12
 * hours, so that no run stalls the stream thread for long and an expired answer stays at most about
 * 12 hours.
 */
final class ResetProcessor implements Processor<byte[], Checked, byte[], Outcome> {
    static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    private static final int PURGE_MIN_SLICE = 1_000;
    private static final long PURGE_ROUNDS = Duration.ofHours(12).dividedBy(PURGE_INTERVAL);

    private final RateLimit rateLimit;
    private final long replayRetentionMs;
    private final ResetObserver observer;
    private ProcessorContext<byte[], Outcome> context;
    private KeyValueStore<String, StoredJob> jobs;
    private KeyValueStore<Bytes, byte[]> answers;
    /** Where the next purge starts reading; null: at the beginning of the store. */
    private Bytes purgeFrom;

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
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forgetExpired());
    }

    /** Deletes, in the next slice of the store, the answers no command at stream time or later can replay. */
    private void forgetExpired() {
        long expiredUpTo = context.currentStreamTimeMs() - replayRetentionMs;
        long slice = Math.max(PURGE_MIN_SLICE, answers.approximateNumEntries() / PURGE_ROUNDS);
        List<Bytes> expired = new ArrayList<>();
        Bytes next = null;
        try (KeyValueIterator<Bytes, byte[]> answersFrom = answers.range(purgeFrom, null)) {
            for (long read = 0; answersFrom.hasNext(); read++) {
                KeyValue<Bytes, byte[]> answer = answersFrom.next();
                if (read == slice) {
                    next = answer.key;
                    break;
                }
                if (Answers.timeOf(answer.value) <= expiredUpTo) {
                    expired.add(answer.key);
                }
            }
        }
        purgeFrom = next;
        expired.forEach(answers::delete);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        long start = System.nanoTime();
        ResetCommand command = ((Checked.Command) record.value()).command();
        Bytes answerKey = Answers.key(command);
        byte[] remembered = remembered(answerKey, record.timestamp());
        Outcome outcome = null;
        if (remembered != null) {
            ErrorCode error = Answers.errorOf(remembered);
            outcome = Answers.replay(remembered, error, command, jobs, answers);
            if (outcome != null) {
                observer.answered(command.requestId(), command.id(), error, true, System.nanoTime() - start);
            }
        }
        if (outcome == null) {
            outcome = answer(command, answerKey, record.timestamp(), start);
        }
        // The command checker left the command's headers behind: answers carry none.
        context.forward(record.withValue(outcome));
    }

    private byte[] remembered(Bytes answerKey, long timestamp) {
        byte[] found = answers.get(answerKey);
        return found != null && Answers.timeOf(found) > timestamp - replayRetentionMs ? found : null;
    }

    private Outcome answer(ResetCommand command, Bytes answerKey, long timestamp, long start) {
        Decision decision = ResetDecision.decide(jobs.get(command.id()), command, timestamp, rateLimit);
        if (decision instanceof Decision.Accepted accepted) {
            jobs.put(command.id(), accepted.updated());
            byte[] snapshot = accepted.updated().snapshot(command.requestId());
            answers.put(answerKey, Answers.rememberSnapshot(timestamp, accepted.updated()));
            observer.answered(command.requestId(), command.id(), null, false, System.nanoTime() - start);
            return Outcome.snapshot(snapshot);
        }
        ErrorCode error = ((Decision.Rejected) decision).error();
        answers.put(answerKey, Answers.rememberError(timestamp, error));
        observer.answered(command.requestId(), command.id(), error, false, System.nanoTime() - start);
        return Outcome.error(Json.write(ErrorEvent.of(error, command.requestId(), command.id())));
    }
}
