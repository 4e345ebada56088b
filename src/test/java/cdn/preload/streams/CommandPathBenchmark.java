package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Decision;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serde;
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
 * read the stored job (deserialise), decide, write the stored job and the snapshot (serialise).
 * Run with {@code bin/jmh} (which adds {@code -prof gc} for allocation per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CommandPathBenchmark {
    private final Serde<StoredJob> storedJobs = Json.serdeFor(StoredJob.class);
    private byte[] command;
    private byte[] storedJob;
    private long time;

    @Setup
    public void setUp() {
        command = ("{\"RequestId\":\"15C66C7B-671A-4297-9187-2C4477247A74\",\"Id\":\"" + Examples.EXAMPLE_ID
                + "\",\"AliUid\":\"" + Examples.EXAMPLE_UID + "\"}").getBytes(StandardCharsets.UTF_8);
        storedJob = storedJobs.serializer().serialize("jobs", new StoredJob(Examples.EXAMPLE_JOB,
                new long[] {1_000, 61_000, 121_000, 181_000, 241_000}));
        time = 1_000_000_000L;
    }

    /** An accepted reset, the whole path: what the processor does for most commands. */
    @Benchmark
    public void acceptedReset(Blackhole sink) {
        ResetCommand parsed = CommandParser.parse(command);
        Bytes answerKey = Answers.key(parsed);
        StoredJob current = storedJobs.deserializer().deserialize("jobs", storedJob);
        Decision.Accepted accepted = (Decision.Accepted) ResetDecision.decide(current, parsed, time, RateLimit.DEFAULT);
        sink.consume(answerKey);
        sink.consume(storedJobs.serializer().serialize("jobs", accepted.updated()));
        sink.consume(Json.write(new Snapshot(parsed.requestId(), accepted.updated().job())));
    }

    /** A refused command (404): parse, key, decide on no job, write the error event. */
    @Benchmark
    public void refusedReset(Blackhole sink) {
        ResetCommand parsed = CommandParser.parse(command);
        sink.consume(Answers.key(parsed));
        Decision.Rejected rejected = (Decision.Rejected) ResetDecision.decide(null, parsed, time, RateLimit.DEFAULT);
        sink.consume(Json.write(ErrorEvent.of(rejected.error(), parsed.requestId(), parsed.id())));
    }

    @Benchmark
    public ResetCommand parseCommand() {
        return CommandParser.parse(command);
    }

    @Benchmark
    public StoredJob readStoredJob() {
        return storedJobs.deserializer().deserialize("jobs", storedJob);
    }

    @Benchmark
    public byte[] writeSnapshot() {
        return Json.write(new Snapshot("15C66C7B-671A-4297-9187-2C4477247A74", Examples.EXAMPLE_JOB));
    }

    @Benchmark
    public byte[] writeErrorEvent() {
        return Json.write(ErrorEvent.of(ErrorCode.INVALID_JOB_NOT_FOUND, "15C66C7B-671A-4297-9187-2C4477247A74",
                Examples.EXAMPLE_ID));
    }
}
