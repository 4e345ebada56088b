package cdn.preload.bench;

import cdn.preload.streams.Topics;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import org.HdrHistogram.Histogram;

/**
 * The processor's latency (or another {@link Subject}'s) at 25%, 50% and 75% of its maximum rate:
 * each command's time from send to visible (read_committed), its percentiles from an HdrHistogram,
 * and a timeline of each load ({@code target/bench/latency-*.csv}). Each load lasts {@code seconds}
 * (the warm-up loads half as long).
 */
record LatencyRun(BenchCluster cluster, BenchReport report, ProcessorProbe probe, int seconds) {
    /** How long the answers of one load may take to arrive, after its last command. */
    private static final Duration ANSWERS = Duration.ofMinutes(2);
    /** Latencies to three significant digits: within a tenth of a percent. */
    private static final int DIGITS = 3;
    /**
     * {@code -Dbench.latency.arrivals=poisson}: commands sent at random times, at the load's mean rate
     * (independent callers); by default, evenly spaced.
     */
    private static final boolean POISSON = System.getProperty("bench.latency.arrivals", "even").equals("poisson");

    /**
     * Starts the processor of {@code env} on {@code topics} and offers it fractions of {@code maxRate};
     * RequestIds are numbered from {@code sequence}. The rows of the latency table.
     */
    ArrayNode measure(Topics topics, Map<String, String> env, List<BenchJob> jobList, double maxRate, int sequence) {
        // The first rounds (not reported) warm the new JVMs up, the processor's, the broker's and
        // this one's, at each load in turn: each step up in load set their JIT compilers off
        // again, for long enough to stall answers (docs/PERFORMANCE.md, "Latency").
        List<Load> loads = new ArrayList<>();
        for (double fraction : new double[] {-0.25, -0.5, -0.75, 0.25, 0.5, 0.75}) {
            boolean warmUp = fraction < 0;
            fraction = Math.abs(fraction);
            loads.add(new Load(fraction, (int) (maxRate * fraction), warmUp ? Math.max(1, seconds / 2) : seconds, warmUp));
        }
        return measure(topics, env, jobList, loads, sequence);
    }

    /**
     * One load: {@code rate} commands a second for {@code seconds}, at {@code fraction} of the
     * processor's maximum (NaN: a fixed rate); a warm-up load is not reported.
     */
    record Load(double fraction, int rate, int seconds, boolean warmUp) {
    }

    /**
     * What the loads are offered to: the child that {@code start} makes of an environment and a log
     * file, ready when its HTTP readiness says so ({@code http}: the processor) or else once it has
     * answered a first command (a variant without HTTP, such as {@link NaiveDsl}).
     */
    record Subject(BiFunction<Map<String, String>, Path, ChildProcess.Builder> start, boolean http) {
        /** The processor's jar, with the JVM options of {@code bench.processor.jvm}. */
        static final Subject PROCESSOR = new Subject((env, log) -> BenchProcesses.jar(env, log,
                BenchProcesses.processorJvm().toArray(String[]::new)), true);

        /** A main class of the benchmark's own, without HTTP. */
        static Subject main(Class<?> main) {
            return new Subject((env, log) -> BenchProcesses.main(main, env, log), false);
        }
    }

    /**
     * Starts the processor of {@code env} on {@code topics} and offers it {@code loads} in turn;
     * RequestIds are numbered from {@code sequence}. The rows of the latency table.
     */
    ArrayNode measure(Topics topics, Map<String, String> processorEnv, List<BenchJob> jobList, List<Load> loads, int sequence) {
        return measure(topics, processorEnv, jobList, loads, sequence, Subject.PROCESSOR);
    }

    /** As above, offered to {@code subject}. */
    ArrayNode measure(Topics topics, Map<String, String> processorEnv, List<BenchJob> jobList, List<Load> loads, int sequence,
                      Subject subject) {
        ArrayNode rows = report.latencyTable();
        // Commands are stamped with the time they are sent, as a caller's are: the rate limit is lifted,
        // so that every answer is an accepted reset, whatever the load.
        Map<String, String> env = new HashMap<>(processorEnv);
        env.putIfAbsent("RESET_LIMIT", "1000");
        env.putIfAbsent("RESET_WINDOW", "1ms");
        // -Dbench.latency.uncommitted=true: a second observer, read_uncommitted, tells the time to an
        // outcome's write from the time to its commit (latency-*-uncommitted.csv)
        List<String> outcomes = List.of(topics.snapshots(), topics.errors());
        try (ChildProcess child = subject.start().apply(env,
                BenchReport.OUT.resolve("logs/latency-" + env.get("KAFKA_APPLICATION_ID") + ".log")).start();
             Observer observer = new Observer(cluster.bootstrapServers(), outcomes, true);
             Observer written = Boolean.getBoolean("bench.latency.uncommitted")
                     ? new Observer(cluster.bootstrapServers(), outcomes, true, "read_uncommitted") : null) {
            if (subject.http()) {
                probe.awaitRunning(env);
            } else {
                awaitFirstAnswer(child, topics.commands(), jobList.get(0), observer, written);
            }
            for (Load load : loads) {
                boolean warmUp = load.warmUp();
                double fraction = load.fraction();
                int rate = load.rate();
                int total = rate * load.seconds();
                long start = System.nanoTime();
                long startMillis = System.currentTimeMillis();
                Pressure before = Pressure.now();
                Random arrivals = new Random(sequence);
                double offset = 0;
                for (int i = 0; i < total; i++) {
                    // evenly spaced, or a Poisson process: exponential gaps of the same mean
                    offset = POISSON ? offset - Math.log(1 - arrivals.nextDouble()) * 1e9 / rate : i * 1e9 / rate;
                    long due = start + (long) offset;
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now); // pacing the offered load, not waiting for a result
                    }
                    String requestId = "lat-" + sequence + BenchCluster.REQUEST_ID_PADDING;
                    BenchJob job = jobList.get(sequence % jobList.size());
                    observer.sent(requestId);
                    if (written != null) {
                        written.sent(requestId);
                    }
                    cluster.sendCommand(topics.commands(), job, job.command(requestId));
                    sequence++;
                }
                Wait.atMost(ANSWERS, Duration.ofMillis(20)).alias("every latency answer").until(() -> observer.pending() == 0);
                long[][] measured = observer.takeLatencies();
                long[] stalls = Pressure.now().millisSince(before);
                long[][] writtenAt = written == null ? new long[0][] : written.takeLatencies();
                if (warmUp) {
                    continue;
                }
                String timeline = env.get("KAFKA_APPLICATION_ID") + "-"
                        + (Double.isNaN(fraction) ? rate + "-per-s" : Long.toString(Math.round(fraction * 100)));
                if (written != null) {
                    Arrays.sort(writtenAt, Comparator.comparingLong(sample -> sample[0]));
                    writeTimeline(timeline + "-uncommitted", writtenAt, start, startMillis);
                }
                Arrays.sort(measured, Comparator.comparingLong(sample -> sample[0]));
                writeTimeline(timeline, measured, start, startMillis);
                // the first second warms up the new rate
                Histogram steady = new Histogram(DIGITS);
                for (int i = Math.min(rate, measured.length / 4); i < measured.length; i++) {
                    steady.recordValue(measured[i][1]);
                }
                report.latency(rows, fraction, rate, steady, stalls);
            }
        }
        keepRocksDbLogs(env);
        return rows;
    }

    /**
     * Readiness for a child without HTTP: one command sent, and its answer visible (within the
     * probe's patience). Its latency is none of the loads'.
     */
    private void awaitFirstAnswer(ChildProcess child, String commands, BenchJob job, Observer observer, Observer written) {
        String requestId = "ready" + BenchCluster.REQUEST_ID_PADDING;
        observer.sent(requestId);
        if (written != null) {
            written.sent(requestId);
        }
        cluster.sendCommand(commands, job, job.command(requestId));
        Wait.atMost(ProcessorProbe.PATIENCE, Duration.ofMillis(20)).alias("a first answer, from " + child.log())
                .until(() -> (observer.pending() == 0 && (written == null || written.pending() == 0)) || !child.isAlive());
        if (!child.isAlive()) {
            throw new IllegalStateException("Exited with " + child.exitCode() + " before it answered; see " + child.log());
        }
        observer.takeLatencies();
        if (written != null) {
            written.takeLatencies();
        }
    }

    /** RocksDB's own logs of the processor's stores (flushes, compactions, stalls), to target/bench/rocksdb/. */
    private static void keepRocksDbLogs(Map<String, String> env) {
        Path state = Path.of(env.get("KAFKA_STATE_DIR"));
        try (var files = Files.walk(state)) {
            for (Path log : files.filter(file -> file.getFileName().toString().equals("LOG")).toList()) {
                Path copy = BenchReport.OUT.resolve("rocksdb").resolve(state.relativize(log).toString().replace('/', '_'));
                Files.createDirectories(copy.getParent());
                Files.copy(log, copy, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The latencies of one load over time, for finding what made a tail: per 100 ms of send time,
     * the commands sent, their largest latency and the wall-clock time (target/bench/latency-*.csv).
     */
    private static void writeTimeline(String name, long[][] bySendTime, long start, long startMillis) {
        StringBuilder csv = new StringBuilder("sent_s,commands,max_latency_ms,wall_clock\n");
        int i = 0;
        while (i < bySendTime.length) {
            long bucket = (bySendTime[i][0] - start) / 100_000_000L;
            int count = 0;
            long max = 0;
            for (; i < bySendTime.length && (bySendTime[i][0] - start) / 100_000_000L == bucket; i++) {
                count++;
                max = Math.max(max, bySendTime[i][1]);
            }
            csv.append(String.format(Locale.ROOT, "%.1f,%d,%.1f,%s%n", bucket / 10.0, count, max / 1e6,
                    Instant.ofEpochMilli(startMillis + bucket * 100)));
        }
        try {
            Files.createDirectories(BenchReport.OUT);
            Files.writeString(BenchReport.OUT.resolve("latency-" + name + ".csv"), csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
