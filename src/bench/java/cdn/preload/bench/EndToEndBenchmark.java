package cdn.preload.bench;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.TestBroker;
import cdn.preload.streams.TopicLayout;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end benchmark ({@code bin/bench}): on one local broker, for exactly_once_v2 and
 * at_least_once, the same preloaded commands are drained by a pass-through Streams app, a plain
 * transactional copy loop and the processor (each in a JVM of its own, same Streams settings, the
 * first {@code bench.warmup} commands not measured); then the processor's latency at fixed
 * fractions of its maximum rate; then a scale run with a million jobs. Figures, with CPU by thread
 * group for each variant and for the broker, go to {@code target/bench/results.json} and
 * {@code results.md}; latency timelines to {@code target/bench/latency-*.csv}.
 */
public final class EndToEndBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Path JAR = Path.of("target", "preload-job-processor.jar");
    private static final Path OUT = Path.of("target", "bench");
    private static final int PARTITIONS = 6;
    /** RequestIds as long as the UUIDs an API front end would send. */
    private static final String REQUEST_ID_PADDING = "-7c1f0b8e-4e5d-4c8a-9b1e";
    private static final long STEP_MS = 2; // 10,000 jobs × 2 ms: a job's commands are 20 s apart, under 5 per minute

    private final int jobs = Integer.getInteger("bench.jobs", 10_000);
    private final int commands = Integer.getInteger("bench.commands", 500_000);
    /** Commands drained before the measured ones, to warm each new JVM up (its JIT compiler above all). */
    private final int warmup = Integer.getInteger("bench.warmup", 200_000);
    private final int latencySeconds = Integer.getInteger("bench.latency.seconds", 20);
    private final int scaleJobs = Integer.getInteger("bench.scale.jobs", 1_000_000);
    /** Which variants run besides the processor: passthrough, copy, stateless, outcome-log, bad, latency (default: all). */
    private final List<String> variants = List.of(System.getProperty("bench.variants",
            "passthrough,copy,stateless,outcome-log,bad,latency").split(","));
    private final List<String> guarantees = List.of(System.getProperty("bench.guarantees", "exactly_once_v2,at_least_once").split(","));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectNode results = JSON.createObjectNode();
    private final StringBuilder report = new StringBuilder();
    private final long t0 = Instant.now().minus(Duration.ofHours(3)).toEpochMilli();
    private LocalKafka broker;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;
    /**
     * Where the broker's log goes ({@code bench.dir}) and where the processors' state goes
     * ({@code bench.state.dir}, by default java.io.tmpdir, on disk as in production). The broker
     * stands in for a cluster on machines of its own: here it shares the one disk with everything
     * else, and its writeback stalled every process on the machine for up to a tenth of a second
     * at a time (docs/PERFORMANCE.md, "Latency"), so its log goes to memory where there is a tmpfs.
     */
    private Path dir;
    private Path stateDir;
    private long clock;

    public static void main(String[] args) throws Exception {
        new EndToEndBenchmark().run();
    }

    private void run() throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", brokerDirDefault())), "preload-bench");
        stateDir = Files.createTempDirectory(Path.of(System.getProperty("bench.state.dir", System.getProperty("java.io.tmpdir"))),
                "preload-bench-state");
        broker = TestBroker.startOwn(dir.resolve("broker"));
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", one local KRaft broker (Kafka 4.4.0), every application in its own JVM with " + Child.HEAP);
        results.put("brokerFileSystem", Files.getFileStore(dir).type()).put("stateFileSystem", Files.getFileStore(stateDir).type());
        results.put("jobs", jobs).put("commands", commands).put("warmupCommands", warmup);
        try {
            for (String guarantee : guarantees) {
                throughputAndLatency(guarantee);
            }
            if (scaleJobs > 0) {
                scale();
            }
        } finally {
            producer.close();
            admin.close();
            broker.stop();
            TestBroker.delete(dir);
            TestBroker.delete(stateDir);
            Files.createDirectories(OUT);
            Files.writeString(OUT.resolve("results.json"), JSON.writeValueAsString(results));
            Files.writeString(OUT.resolve("results.md"), report.toString());
            System.out.println(report);
        }
    }

    private void throughputAndLatency(String guarantee) throws Exception {
        String tag = guarantee.startsWith("exactly") ? "eos" : "alos";
        ObjectNode section = results.putObject(guarantee);
        List<BenchJob> jobList = jobs(jobs, new Random(1));
        Topics topics = topics("bench-" + tag);
        Map<String, String> processorEnv = prepare(topics, "bench-processor-" + tag, guarantee, jobList, 0);

        line("## " + guarantee + "\n\n| variant | records | seconds | records/s | CPU s per 100k | broker CPU s per 100k | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|");
        if (variants.contains("passthrough")) {
            section.set("passthrough", drain("passthrough", Child.main(Passthrough.class,
                    baselineEnv("bench-passthrough-" + tag, guarantee, topics.commands(), createTopic("bench-passthrough-out-" + tag)),
                    OUT.resolve("logs/passthrough-" + tag + ".log")), List.of("bench-passthrough-out-" + tag), warmup + commands));
        }
        if (variants.contains("copy")) {
            section.set("copyLoop", drain("copy loop", Child.main(CopyLoop.class,
                    baselineEnv("bench-copy-" + tag, guarantee, topics.commands(), createTopic("bench-copy-out-" + tag)),
                    OUT.resolve("logs/copy-" + tag + ".log")), List.of("bench-copy-out-" + tag), warmup + commands));
        }
        if (variants.contains("stateless")) {
            Map<String, String> env = baselineEnv("bench-stateless-" + tag, guarantee, topics.commands(),
                    createTopic("bench-stateless-out-" + tag));
            env.put("BENCH_JOBS", topics.jobs());
            section.set("stateless", drain("stateless floor", Child.main(Stateless.class, env,
                    OUT.resolve("logs/stateless-" + tag + ".log")), List.of("bench-stateless-out-" + tag), warmup + commands));
        }
        List<String> jvm = new ArrayList<>();
        if (Boolean.getBoolean("bench.profile")) { // the processor's drain recorded with JFR (target/bench/processor-*.jfr)
            jvm.add("-XX:FlightRecorderOptions:stackdepth=256");
            jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + OUT.resolve("processor-" + tag + ".jfr"));
        }
        jvm.addAll(processorJvm());
        String[] profile = jvm.toArray(String[]::new);
        ObjectNode processor = drain("processor", Child.jar(JAR, processorEnv, OUT.resolve("logs/processor-" + tag + ".log"),
                profile), List.of(topics.snapshots(), topics.errors()), warmup + commands);
        section.set("processor", processor);
        ratioToPassthrough(section, "processor");
        ratioToPassthrough(section, "stateless");

        if (variants.contains("outcome-log")) {
            Topics quiet = topics("bench-quiet-" + tag);
            Map<String, String> quietEnv = prepare(quiet, "bench-quiet-" + tag, guarantee, jobList, 0);
            section.set("processorWithOutcomeLog", drain("processor, outcome log on", Child.jar(JAR, quietEnv,
                    OUT.resolve("logs/quiet-" + tag + ".log"), "-Dorg.slf4j.simpleLogger.log.cdn.preload.outcomes=info"),
                    List.of(quiet.snapshots(), quiet.errors()), warmup + commands));
        }
        if (variants.contains("bad")) {
            Topics bad = topics("bench-bad-" + tag);
            Map<String, String> badEnv = prepare(bad, "bench-bad-" + tag, guarantee, jobList, 10);
            section.set("processorWithTenPercentBad", drain("processor, 10% bad commands", Child.jar(JAR, badEnv,
                    OUT.resolve("logs/bad-" + tag + ".log")), List.of(bad.snapshots(), bad.errors()), warmup + commands));
        }
        if (section.has("processorToPassthrough")) {
            line(String.format(Locale.ROOT, "\nprocessor / passthrough: %.2f\n", section.get("processorToPassthrough").asDouble()));
            if (section.has("statelessToPassthrough")) {
                line(String.format(Locale.ROOT, "stateless floor / passthrough: %.2f\n", section.get("statelessToPassthrough").asDouble()));
            }
        }
        if (!variants.contains("latency")) {
            return;
        }
        section.set("latency", latency(topics, processorEnv, jobList, processor.get("recordsPerSecond").asDouble()));
    }

    /**
     * Publishes the jobs to {@code topics}, has a processor with this application id store them,
     * then publishes the commands (every {@code badEvery}-th one bad; 0: none); returns its environment.
     */
    private Map<String, String> prepare(Topics topics, String applicationId, String guarantee, List<BenchJob> jobList,
                                        int badEvery) throws Exception {
        publishJobs(topics, jobList);
        Map<String, String> env = processorEnv(topics, applicationId, guarantee);
        load(env, jobList);
        clock = t0;
        publishCommands(topics.commands(), jobList, warmup + commands, badEvery);
        return env;
    }

    /**
     * Starts {@code child} and waits until {@code expected} records are visible on {@code outputs},
     * then stops it. The first {@link #warmup} of them warm the new JVM up and are not measured:
     * throughput and CPU are from the last warm-up output to the last output.
     */
    private ObjectNode drain(String variant, Child child, List<String> outputs, int expected) {
        try (Observer observer = new Observer(broker.bootstrapServers(), outputs, false); child) {
            AtomicReference<CpuSample> atMark = new AtomicReference<>();
            observer.at(Math.max(1, warmup), () -> atMark.set(CpuSample.of(child, broker.pid())));
            child.start();
            await(() -> observer.count() >= expected || !child.isAlive(), Duration.ofMinutes(20), variant + " to drain");
            CpuSample atLast = CpuSample.of(child, broker.pid());
            long measured = observer.count() - Math.max(1, warmup);
            long rss = child.peakRss();
            double seconds = (observer.lastNanos() - observer.markNanos()) / 1e9;
            double perSecond = measured / seconds;
            double cpuPer100k = per100k(atLast.process() - atMark.get().process(), measured);
            ObjectNode row = JSON.createObjectNode().put("records", measured).put("seconds", round(seconds, 1))
                    .put("recordsPerSecond", Math.round(perSecond)).put("cpuSecondsPer100k", round(cpuPer100k, 1))
                    .put("peakRssMB", rss >> 20)
                    .put("brokerCpuSecondsPer100k", round(per100k(atLast.broker() - atMark.get().broker(), measured), 2));
            row.set("cpuSecondsPer100kByThread", byThread(atMark.get().threads(), atLast.threads(), measured));
            row.set("brokerCpuSecondsPer100kByThread", byThread(atMark.get().brokerThreads(), atLast.brokerThreads(), measured));
            line(String.format(Locale.ROOT, "| %s | %d | %.1f | %,d | %.1f | %.1f | %d |", variant, measured, seconds,
                    Math.round(perSecond), cpuPer100k, row.get("brokerCpuSecondsPer100k").asDouble(), rss >> 20));
            System.out.println(variant + ", CPU s per 100k by thread: " + row.get("cpuSecondsPer100kByThread")
                    + "; the broker's: " + row.get("brokerCpuSecondsPer100kByThread"));
            return row;
        }
    }

    /** CPU used by the benchmarked process and by the broker so far, in milliseconds, in all and by thread group. */
    private record CpuSample(long process, Map<String, Long> threads, long broker, Map<String, Long> brokerThreads) {
        static CpuSample of(Child child, long brokerPid) {
            return new CpuSample(child.cpu().toMillis(), child.cpuByThread(),
                    ProcessHandle.of(brokerPid).flatMap(handle -> handle.info().totalCpuDuration()).orElse(Duration.ZERO).toMillis(),
                    Child.cpuByThread(brokerPid));
        }
    }

    private static double per100k(long millis, long records) {
        return millis / 1e3 / records * 100_000;
    }

    /** CPU seconds per 100k records by thread group, for the groups that used at least 10 ms. */
    private static ObjectNode byThread(Map<String, Long> before, Map<String, Long> after, long records) {
        ObjectNode groups = JSON.createObjectNode();
        after.forEach((name, millis) -> {
            long used = millis - before.getOrDefault(name, 0L);
            if (used >= 10) {
                groups.put(name, round(per100k(used, records), 2));
            }
        });
        return groups;
    }


    /** Puts {@code <variant>ToPassthrough}, the variant's drain rate over the pass-through's, when both ran. */
    private static void ratioToPassthrough(ObjectNode section, String variant) {
        if (section.has(variant) && section.has("passthrough")) {
            double ratio = section.get(variant).get("recordsPerSecond").asDouble()
                    / section.get("passthrough").get("recordsPerSecond").asDouble();
            section.put(variant + "ToPassthrough", round(ratio, 2));
        }
    }

    private static String brokerDirDefault() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm.toString() : System.getProperty("java.io.tmpdir");
    }

    /**
     * JVM options for the processor's drain and latency runs, e.g. an async-profiler agent or a GC log:
     * -Dbench.processor.jvm="-agentpath:...libasyncProfiler.so=start,event=itimer,file=... -Xlog:gc:file=..."
     */
    private static List<String> processorJvm() {
        return List.of(System.getProperty("bench.processor.jvm", "").split(" ")).stream().filter(o -> !o.isBlank()).toList();
    }

    /** The processor at 25%, 50% and 75% of {@code maxRate}: time from send to visible (read_committed). */
    private ArrayNode latency(Topics topics, Map<String, String> env, List<BenchJob> jobList, double maxRate) {
        ArrayNode rows = JSON.createArrayNode();
        line("\n| offered load | commands/s | p50 ms | p99 ms | p99.9 ms | max ms | I/O stall ms | CPU wait ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|");
        // -Dbench.latency.uncommitted=true: a second observer, read_uncommitted, tells the time to an
        // outcome's write from the time to its commit (latency-*-uncommitted.csv)
        List<String> outcomes = List.of(topics.snapshots(), topics.errors());
        try (Child child = Child.jar(JAR, env, OUT.resolve("logs/latency-" + env.get("KAFKA_APPLICATION_ID") + ".log"),
                processorJvm().toArray(String[]::new)).start();
             Observer observer = new Observer(broker.bootstrapServers(), outcomes, true);
             Observer written = Boolean.getBoolean("bench.latency.uncommitted")
                     ? new Observer(broker.bootstrapServers(), outcomes, true, "read_uncommitted") : null) {
            awaitRunning(env);
            int sequence = warmup + commands;
            // The first rounds (not reported) warm the new JVMs up, the processor's, the broker's and
            // this one's, at each load in turn: each step up in load set their JIT compilers off
            // again, for long enough to stall answers (docs/PERFORMANCE.md, "Latency").
            for (double fraction : new double[] {-0.25, -0.5, -0.75, 0.25, 0.5, 0.75}) {
                boolean warmUp = fraction < 0;
                fraction = Math.abs(fraction);
                int rate = (int) (maxRate * fraction);
                int total = rate * (warmUp ? Math.max(1, latencySeconds / 2) : latencySeconds);
                long start = System.nanoTime();
                long startMillis = System.currentTimeMillis();
                Pressure before = Pressure.now();
                for (int i = 0; i < total; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now); // pacing the offered load, not waiting for a result
                    }
                    String requestId = "lat-" + sequence + REQUEST_ID_PADDING;
                    BenchJob job = jobList.get(sequence % jobList.size());
                    observer.sent(requestId);
                    if (written != null) {
                        written.sent(requestId);
                    }
                    send(topics.commands(), job.id(), command(requestId, job), clock);
                    clock += STEP_MS;
                    sequence++;
                }
                await(() -> observer.pending() == 0, Duration.ofMinutes(2), "every latency answer");
                long[][] measured = observer.takeLatencies();
                long[] stalls = Pressure.now().millisSince(before);
                long[][] writtenAt = written == null ? new long[0][] : written.takeLatencies();
                if (warmUp) {
                    continue;
                }
                String timeline = env.get("KAFKA_APPLICATION_ID") + "-" + Math.round(fraction * 100);
                if (written != null) {
                    Arrays.sort(writtenAt, Comparator.comparingLong(sample -> sample[0]));
                    writeTimeline(timeline + "-uncommitted", writtenAt, start, startMillis);
                }
                Arrays.sort(measured, Comparator.comparingLong(sample -> sample[0]));
                writeTimeline(timeline, measured, start, startMillis);
                // the first second warms up the new rate
                long[] steady = Arrays.stream(measured, Math.min(rate, measured.length / 4), measured.length)
                        .mapToLong(sample -> sample[1]).sorted().toArray();
                ObjectNode row = rows.addObject().put("fraction", fraction).put("commandsPerSecond", rate)
                        .put("p50ms", ms(steady, 0.5)).put("p99ms", ms(steady, 0.99)).put("p999ms", ms(steady, 0.999))
                        .put("maxms", ms(steady, 1.0)).put("ioFullStallMs", stalls[0]).put("cpuSomeStallMs", stalls[1]);
                line(String.format(Locale.ROOT, "| %d%% | %,d | %.1f | %.1f | %.1f | %.1f | %,d | %,d |", Math.round(fraction * 100), rate,
                        row.get("p50ms").asDouble(), row.get("p99ms").asDouble(), row.get("p999ms").asDouble(),
                        row.get("maxms").asDouble(), stalls[0], stalls[1]));
            }
        }
        keepRocksDbLogs(env);
        return rows;
    }

    /** RocksDB's own logs of the processor's stores (flushes, compactions, stalls), to target/bench/rocksdb/. */
    private static void keepRocksDbLogs(Map<String, String> env) {
        Path state = Path.of(env.get("KAFKA_STATE_DIR"));
        try (var files = Files.walk(state)) {
            for (Path log : files.filter(file -> file.getFileName().toString().equals("LOG")).toList()) {
                Path copy = OUT.resolve("rocksdb").resolve(state.relativize(log).toString().replace('/', '_'));
                Files.createDirectories(copy.getParent());
                Files.copy(log, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
            Files.createDirectories(OUT);
            Files.writeString(OUT.resolve("latency-" + name + ".csv"), csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A million jobs: the time to load them, and to restore them after the state directory is deleted. */
    private void scale() throws Exception {
        ObjectNode section = results.putObject("scale");
        List<BenchJob> jobList = jobs(scaleJobs, new Random(2));
        Topics topics = topics("bench-scale");
        long published = System.nanoTime();
        publishJobs(topics, jobList);
        section.put("jobs", scaleJobs).put("publishSeconds", round((System.nanoTime() - published) / 1e9, 1));
        Map<String, String> env = processorEnv(topics, "bench-scale", "exactly_once_v2");
        long loading = System.nanoTime();
        long loadRss = load(env, jobList);
        section.put("loadSeconds", round((System.nanoTime() - loading) / 1e9, 1)).put("loadPeakRssMB", loadRss >> 20);
        TestBroker.delete(Path.of(env.get("KAFKA_STATE_DIR")));
        long restoring = System.nanoTime();
        try (Child child = Child.jar(JAR, env, OUT.resolve("logs/scale-restore.log")).start()) {
            awaitRunning(env);
            awaitLoaded(env, jobList);
            double seconds = (System.nanoTime() - restoring) / 1e9;
            ObjectNode heap = heap(env);
            section.put("restoreSeconds", round(seconds, 1)).put("restorePeakRssMB", child.peakRss() >> 20);
            section.set("heapAfterRestore", heap);
            line(String.format(Locale.ROOT, "\n## scale\n\n%,d jobs: loaded from the jobs topic in %.1f s; after the state"
                    + " directory was deleted, restored and answering in %.1f s; peak RSS %d MB; heap used %s MB of %s MB.",
                    scaleJobs, section.get("loadSeconds").asDouble(), seconds, child.peakRss() >> 20,
                    heap.path("usedMB").asText(), heap.path("maxMB").asText()));
        }
    }

    /** Starts the processor until every job is queryable, then stops it; returns its peak RSS. */
    private long load(Map<String, String> env, List<BenchJob> jobList) {
        try (Child child = Child.jar(JAR, env, OUT.resolve("logs/load-" + env.get("KAFKA_APPLICATION_ID") + ".log")).start()) {
            awaitRunning(env);
            awaitLoaded(env, jobList);
            long rss = child.peakRss();
            child.stop();
            return rss;
        }
    }

    private void awaitLoaded(Map<String, String> env, List<BenchJob> jobList) {
        Map<Integer, BenchJob> last = new HashMap<>();
        for (BenchJob job : jobList) {
            last.put(TopicLayout.partitionOf(job.id().getBytes(StandardCharsets.UTF_8), PARTITIONS), job);
        }
        for (BenchJob job : last.values()) {
            await(() -> status(env, "/jobs/" + job.id() + "?AliUid=" + job.aliUid()) == 200, Duration.ofMinutes(20),
                    "job " + job.id() + " to be stored");
        }
    }

    private void awaitRunning(Map<String, String> env) {
        await(() -> status(env, "/health/ready") == 200, Duration.ofMinutes(20), "the processor to be ready");
    }

    private int status(Map<String, String> env, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("HTTP_PORT") + path))
                    .header("Authorization", "Bearer " + env.get("HTTP_AUTH_TOKEN"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private ObjectNode heap(Map<String, String> env) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("HTTP_PORT") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double used = 0;
        double max = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("jvm_memory_max_bytes{area=\"heap\"")) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                max += Math.max(0, value);
            }
        }
        return JSON.createObjectNode().put("usedMB", Math.round(used / (1 << 20))).put("maxMB", Math.round(max / (1 << 20)));
    }

    private Map<String, String> processorEnv(Topics topics, String applicationId, String guarantee) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_APPLICATION_ID", applicationId);
        env.put("KAFKA_PROCESSING_GUARANTEE", guarantee);
        env.put("KAFKA_STATE_DIR", stateDir.resolve("state-" + applicationId).toString());
        env.put("TOPIC_JOBS", topics.jobs());
        env.put("TOPIC_COMMANDS", topics.commands());
        env.put("TOPIC_SNAPSHOTS", topics.snapshots());
        env.put("TOPIC_ERRORS", topics.errors());
        env.put("TOPIC_DLQ", topics.deadLetters());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", Integer.toString(LocalKafka.freePort()));
        env.put("HTTP_AUTH_TOKEN", "bench-token-" + applicationId);
        env.putAll(extraEnv());
        return env;
    }

    /** The baselines' environment: the processor's Streams settings, their own application id and topics. */
    private Map<String, String> baselineEnv(String applicationId, String guarantee, String in, String out) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_APPLICATION_ID", applicationId);
        env.put("KAFKA_PROCESSING_GUARANTEE", guarantee);
        env.put("KAFKA_STATE_DIR", stateDir.resolve("state-" + applicationId).toString());
        env.put("BENCH_IN", in);
        env.put("BENCH_OUT", out);
        env.putAll(extraEnv());
        return env;
    }

    /** Settings for every variant alike, to compare configurations: -Dbench.env=KAFKA_BATCH_SIZE=262144,... */
    private static Map<String, String> extraEnv() {
        Map<String, String> env = new HashMap<>();
        for (String setting : System.getProperty("bench.env", "").split(",")) {
            if (!setting.isBlank()) {
                env.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        return env;
    }

    private Topics topics(String suffix) {
        Topics topics = new Topics(Topics.JOBS + "-" + suffix, Topics.COMMANDS + "-" + suffix, Topics.SNAPSHOTS + "-" + suffix,
                Topics.ERRORS + "-" + suffix, Topics.DEAD_LETTERS + "-" + suffix);
        TopicSetup.Report created = TopicSetup.ensure(admin, TopicDefinitions.forTopics(topics));
        if (!created.ok()) {
            throw new IllegalStateException(created.errors().toString());
        }
        return topics;
    }

    private String createTopic(String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
        return name;
    }

    private void publishJobs(Topics topics, List<BenchJob> jobList) throws Exception {
        for (BenchJob job : jobList) {
            send(topics.jobs(), job.id(), job.json(), t0 - 1);
        }
        producer.flush();
    }

    /** {@code count} commands over the jobs in turn; every {@code badEvery}-th one truncated (0: none). */
    private void publishCommands(String topic, List<BenchJob> jobList, int count, int badEvery) {
        for (int i = 0; i < count; i++) {
            BenchJob job = jobList.get(i % jobList.size());
            byte[] value = command("req-" + i + REQUEST_ID_PADDING, job);
            if (badEvery > 0 && i % badEvery == 0) {
                value = Arrays.copyOf(value, value.length / 2);
            }
            send(topic, job.id(), value, clock);
            clock += STEP_MS;
        }
        producer.flush();
    }

    private static byte[] command(String requestId, BenchJob job) {
        return ("{\"RequestId\":\"" + requestId + "\",\"Id\":\"" + job.id()
                + "\",\"AliUid\":\"" + job.aliUid() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private void send(String topic, String key, byte[] value, long timestamp) {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** A job of the benchmark: its JSON is rendered when published, so a million of them fit in memory. */
    private record BenchJob(int index, String id) {
        String aliUid() {
            return "15685865" + (100000000 + index % 5000);
        }

        /** The size of the API page's example (about 450 bytes of JSON). */
        byte[] json() {
            return ("{\"Id\":\"" + id + "\",\"Name\":\"example-" + index + "\",\"SiteId\":" + (190007158391808L + index)
                    + ",\"AliUid\":\"" + aliUid() + "\",\"Domains\":\"testurl" + index + ".com\",\"TaskType\":\"preload\","
                    + "\"InsertWay\":\"oss\",\"FileId\":\"665d3b48621bccf3fe29e1a7\",\"UrlCount\":2,\"UrlSubmitted\":1,"
                    + "\"TaskSubmitted\":1,\"ErrorInfo\":\"invalid domain:test.com\",\"FailedFileOss\":"
                    + "\"https://xxxobject.oss-cn-reginon.aliyuncs.com/9d91_xxxxxxxxxxx_158bb6e0f97c477791209bb46bd599f7\","
                    + "\"CreatedAt\":\"2024-06-02T02:23:26Z\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static List<BenchJob> jobs(int count, Random random) {
        List<BenchJob> list = new ArrayList<>(count);
        char[] id = new char[24];
        for (int i = 0; i < count; i++) {
            for (int d = 0; d < 24; d++) {
                id[d] = Character.forDigit(random.nextInt(16), 16);
            }
            list.add(new BenchJob(i, new String(id)));
        }
        return list;
    }

    private void line(String text) {
        report.append(text).append('\n');
        System.out.println(text);
    }

    private static double ms(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return round(sorted[Math.max(0, index)] / 1e6, 1);
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Waited " + timeout.toMinutes() + " min for " + what);
            }
            LockSupport.parkNanos(20_000_000L); // the poll interval of a wait with a deadline
        }
    }
}
