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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Answers each valid command on its job's partition: a replay gets the remembered answer (step 3);
 * otherwise the reset is decided against the stored job (steps 4 to 7), the job store is updated
 * and the answer remembered ({@link ReplayMemory}). An accepted reset writes each store once, and
 * publishes the snapshot, with the job's new generation in its header, and the job's state.
 * Commands refused before any lookup never come here: {@link CommandChecker} answers them.
 */
final class ResetProcessor implements Processor<byte[], Checked, byte[], Encoded> {
    private final RateLimit rateLimit;
    private final Duration replayRetention;
    private final ResetObserver observer;
    private final EarlyCommits.Part earlyCommit;
    private ProcessorContext<byte[], Encoded> context;
    private KeyValueStore<String, StoredJob> jobs;
    private ReplayMemory memory;

    ResetProcessor(RateLimit rateLimit, Duration replayRetention, ResetObserver observer, EarlyCommits earlyCommits) {
        this.rateLimit = rateLimit;
        this.replayRetention = replayRetention;
        this.observer = observer;
        this.earlyCommit = earlyCommits.part();
    }

    @Override
    public void init(ProcessorContext<byte[], Encoded> context) {
        this.context = context;
        jobs = context.getStateStore(ResetTopology.JOB_STORE);
        memory = new ReplayMemory(context.getStateStore(ResetTopology.ANSWER_STORE), jobs, replayRetention);
        context.schedule(ReplayMemory.PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
                now -> memory.forgetExpired(context.currentStreamTimeMs()));
        earlyCommit.init(context);
    }

    @Override
    public void process(Record<byte[], Checked> record) {
        long start = System.nanoTime();
        // The topology sends only valid commands here (see ResetTopology).
        ResetCommand command = ((Checked.Command) record.value()).command();
        Bytes key = ReplayMemory.key(command);
        Outcome outcome = memory.replay(key, command, record.timestamp());
        if (outcome == null) {
            outcome = answer(record, command, key);
        }
        observer.answered(command.requestId(), command.id(), outcome.error(), outcome.replay(), System.nanoTime() - start);
        // The command checker left the command's headers behind: an answer carries only its own.
        context.forward(new Record<>(record.key(), outcome, record.timestamp(), outcome.headers()));
        earlyCommit.forwarded(record.timestamp());
    }

    private Outcome answer(Record<byte[], Checked> record, ResetCommand command, Bytes key) {
        long timestamp = record.timestamp();
        Decision decision = ResetDecision.decide(jobs.get(command.id()), command, timestamp, rateLimit);
        // Remembered from stream time at the latest: a command dated in the past is remembered for
        // the whole retention all the same, not purged at the next run.
        long answeredAt = Math.max(timestamp, context.currentStreamTimeMs());
        if (decision instanceof Decision.Accepted accepted) {
            StoredJob updated = accepted.updated();
            jobs.put(command.id(), updated);
            memory.rememberSnapshot(key, answeredAt, updated);
            context.forward(new Record<>(record.key(), JobState.of(updated), timestamp, new RecordHeaders()));
            return Outcome.snapshot(JobDocuments.snapshot(updated, command.requestId()), false, updated.generation());
        }
        ErrorCode error = ((Decision.Rejected) decision).error();
        memory.rememberError(key, answeredAt, error);
        return Outcome.error(error, Json.write(ErrorEvent.of(error, command.requestId(), command.id())), false);
    }
}
