package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Json;
import cdn.preload.domain.Progress;
import cdn.preload.domain.ProgressDecision;
import cdn.preload.domain.ProgressParser;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Bytes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The work the processor does per command, without Kafka: parse the command, build its answer key,
 * read the stored job, decide, write the stored job, the remembered answer, the snapshot and the
 * job's state; and per progress report: parse it, read the stored job, decide, write the stored job
 * and its state.
 * Run with {@code bin/jmh} (which adds {@code -prof gc} for allocation per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommandPathBenchmark {
    private byte[] command;
    private byte[] jobAtZero;
    private byte[] jobInProgress;
    private byte[][] reports;
    private int report;
    private long time;

    @Setup
    public void setUp() {
        command = ("{\"RequestId\":\"15C66C7B-671A-4297-9187-2C4477247A74\",\"Id\":\"" + Examples.EXAMPLE_ID
                + "\",\"AliUid\":\"" + Examples.EXAMPLE_UID + "\"}").getBytes(StandardCharsets.UTF_8);
        long[] resets = {1_000, 61_000, 121_000, 181_000, 241_000};
        jobInProgress = StoredJobFormat.toBytes(new StoredJob(Examples.EXAMPLE_JOB, resets));
        jobAtZero = StoredJobFormat.toBytes(new StoredJob(Examples.EXAMPLE_JOB.restarted(), resets));
        time = 1_000_000_000L;
        reports = new byte[2][];
        for (int i = 0; i < reports.length; i++) {
            reports[i] = ("{\"Id\":\"" + Examples.EXAMPLE_ID + "\",\"Generation\":0,\"UrlSubmitted\":" + (1000 + i)
                    + ",\"TaskSubmitted\":" + (900 + i) + "}").getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * A progress report of the job's current generation that raises its counters, the whole path: the
     * processor's busiest input. Two reports in turn, each applied to the job as stored before it.
     */
    @Benchmark
    public void appliedProgress(Blackhole sink) {
        Progress parsed = ProgressParser.parse(reports[report++ & 1]);
        StoredJob current = StoredJobFormat.fromBytes(jobInProgress);
        ProgressDecision.Applied applied = (ProgressDecision.Applied) ProgressDecision.ofReport(current, parsed);
        sink.consume(StoredJobFormat.toBytes(applied.updated()));
        sink.consume(JobDocuments.state(applied.updated()));
    }

    /**
     * An accepted reset of a job already reset since its last update, the whole path: what the
     * processor does for most commands.
     */
    @Benchmark
    public void acceptedReset(Blackhole sink) {
        accept(jobAtZero, sink);
    }

    /** An accepted reset of a job whose progress is not at zero: the job's JSON is read and written. */
    @Benchmark
    public void acceptedResetOfAJobInProgress(Blackhole sink) {
        accept(jobInProgress, sink);
    }

    private void accept(byte[] stored, Blackhole sink) {
        ResetCommand parsed = CommandParser.parse(command);
        Bytes answerKey = ReplayMemory.key(parsed);
        StoredJob current = StoredJobFormat.fromBytes(stored);
        Decision.Accepted accepted = (Decision.Accepted) ResetDecision.decide(current, parsed, time, RateLimit.DEFAULT);
        sink.consume(answerKey);
        sink.consume(ReplayMemory.snapshotValue(time, accepted.updated()));
        sink.consume(StoredJobFormat.toBytes(accepted.updated()));
        sink.consume(JobDocuments.snapshot(accepted.updated(), parsed.requestId()));
        sink.consume(JobDocuments.state(accepted.updated()));
    }

    /** A refused command (404): parse, key, decide on no job, write the error event. */
    @Benchmark
    public void refusedReset(Blackhole sink) {
        ResetCommand parsed = CommandParser.parse(command);
        sink.consume(ReplayMemory.key(parsed));
        Decision.Rejected rejected = (Decision.Rejected) ResetDecision.decide(null, parsed, time, RateLimit.DEFAULT);
        sink.consume(Json.write(ErrorEvent.of(rejected.error(), parsed.requestId(), parsed.id())));
    }

    @Benchmark
    public ResetCommand parseCommand() {
        return CommandParser.parse(command);
    }

    @Benchmark
    public StoredJob readStoredJob() {
        return StoredJobFormat.fromBytes(jobAtZero);
    }

    @Benchmark
    public byte[] writeSnapshot() {
        return JobDocuments.snapshot(StoredJobFormat.fromBytes(jobAtZero), "15C66C7B-671A-4297-9187-2C4477247A74");
    }

    @Benchmark
    public byte[] writeErrorEvent() {
        return Json.write(ErrorEvent.of(ErrorCode.INVALID_JOB_NOT_FOUND, "15C66C7B-671A-4297-9187-2C4477247A74",
                Examples.EXAMPLE_ID));
    }
}
