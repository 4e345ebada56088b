package cdn.preload.bench;

import cdn.preload.bench.BenchProcesses.CpuSample;
import cdn.preload.streams.Topics;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end-to-end benchmark ({@code bin/bench}): on one local broker, for exactly_once_v2 and
 * at_least_once, the same preloaded commands are drained by a pass-through Streams app, a plain
 * transactional copy loop, the processor and a first-timer's DSL version of it ({@link NaiveDsl}),
 * and as many progress reports by the processor ({@link ProgressMix}) (each in a JVM of its own,
 * same Streams settings, the first {@code bench.warmup} records not measured); then the
 * processor's latency at fixed fractions of its maximum rate ({@link LatencyRun}); then a scale run
 * with a million jobs. Figures, with CPU by thread group for each variant and for the broker, go to
 * {@code target/bench/results.json} and {@code results.md} ({@link BenchReport}); latency timelines
 * to {@code target/bench/latency-*.csv}.
 * This class runs it all in order; {@link BenchCluster} publishes.
 */
public final class EndToEndBenchmark {
    private static final Path OUT = BenchReport.OUT;

    private final int jobs = Integer.getInteger("bench.jobs", 10_000);
    private final int commands = Integer.getInteger("bench.commands", 500_000);
    /** Commands drained before the measured ones, to warm each new JVM up (its JIT compiler above all). */
    private final int warmup = Integer.getInteger("bench.warmup", 200_000);
    private final int latencySeconds = Integer.getInteger("bench.latency.seconds", 20);
    private final int scaleJobs = Integer.getInteger("bench.scale.jobs", 1_000_000);
    /** The sites the scale run's jobs are spread over (the index of jobs by site holds them all); 0: a site each. */
    private final int scaleSites = Integer.getInteger("bench.scale.sites", 10_000);
    /** How many times the scale run deletes the state directory and restores it (each restore measured). */
    private final int scaleRestores = Integer.getInteger("bench.scale.restores", 1);
    /**
     * Settings of each restore, to compare them on one load: {@code A|B}, each written as
     * {@code bench.env} is, the first for the first restore and so on, in turn.
     */
    private final String[] scaleRestoreEnv = System.getProperty("bench.scale.restore.env", "").split("\\|", -1);
    /**
     * Which variants run besides the processor's reset drain: passthrough, copy, stateless, progress (the processor's
     * progress drain), outcome-log, bad, naive, latency (default: all).
     */
    private final List<String> variants = List.of(System.getProperty("bench.variants",
            "passthrough,copy,stateless,progress,outcome-log,bad,naive,latency").split(","));
    /** The progress drain's reports: every {@code bench.progress.repeat}-th one of a job repeats the one before it. */
    private final ProgressMix progressMix = new ProgressMix(Integer.getInteger("bench.progress.repeat", 10));
    /** The drains' guarantees; none (-Dbench.guarantees=): the scale run alone. */
    private final List<String> guarantees = java.util.Arrays.stream(
            System.getProperty("bench.guarantees", "exactly_once_v2,at_least_once").split(",")).filter(g -> !g.isBlank()).toList();
    private BenchReport report = new BenchReport();
    private final ProcessorProbe probe = new ProcessorProbe(BenchReport.JSON);
    private BenchCluster cluster;

    public static void main(String[] args) throws Exception {
        new EndToEndBenchmark().run();
    }

    private EndToEndBenchmark() {
    }

    /** The drains of this benchmark, on {@code cluster}, reporting to {@code report} (for {@link LatencyFrontier}). */
    EndToEndBenchmark(BenchCluster cluster, BenchReport report) {
        this.cluster = cluster;
        this.report = report;
    }

    private void run() throws Exception {
        BenchCluster started = new BenchCluster();
        cluster = started;
        ObjectNode results = report.results;
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", one local KRaft broker (Kafka 4.4.0), every application in its own JVM with " + BenchProcesses.HEAP);
        results.put("brokerFileSystem", Files.getFileStore(cluster.dir).type())
                .put("stateFileSystem", Files.getFileStore(cluster.stateDir).type());
        results.put("jobs", jobs).put("commands", commands).put("warmupCommands", warmup);
        try (started) {
            for (String guarantee : guarantees) {
                throughputAndLatency(guarantee);
            }
            if (scaleJobs > 0) {
                scale();
            }
        } finally {
            report.write();
        }
    }

    private void throughputAndLatency(String guarantee) throws Exception {
        String tag = guarantee.startsWith("exactly") ? "eos" : "alos";
        List<BenchJob> jobList = BenchJob.generate(jobs, new Random(1));
        Topics topics = cluster.topics("bench-" + tag);
        Map<String, String> processorEnv = prepare(topics, "bench-processor-" + tag, guarantee, jobList, 0);

        ObjectNode section = report.guarantee(guarantee);
        if (variants.contains("passthrough")) {
            section.set("passthrough", drain("passthrough", BenchProcesses.main(Passthrough.class,
                    cluster.baselineEnv("bench-passthrough-" + tag, guarantee, topics.commands(),
                            cluster.createTopic("bench-passthrough-out-" + tag)),
                    OUT.resolve("logs/passthrough-" + tag + ".log")), List.of("bench-passthrough-out-" + tag)));
        }
        if (variants.contains("copy")) {
            section.set("copyLoop", drain("copy loop", BenchProcesses.main(CopyLoop.class,
                    cluster.baselineEnv("bench-copy-" + tag, guarantee, topics.commands(), cluster.createTopic("bench-copy-out-" + tag)),
                    OUT.resolve("logs/copy-" + tag + ".log")), List.of("bench-copy-out-" + tag)));
        }
        if (variants.contains("stateless")) {
            Map<String, String> env = cluster.baselineEnv("bench-stateless-" + tag, guarantee, topics.commands(),
                    cluster.createTopic("bench-stateless-out-" + tag));
            env.put("BENCH_JOBS", topics.jobs());
            section.set("stateless", drain("stateless floor", BenchProcesses.main(Stateless.class, env,
                    OUT.resolve("logs/stateless-" + tag + ".log")), List.of("bench-stateless-out-" + tag)));
        }
        ObjectNode processor = drain("processor", BenchProcesses.jar(processorEnv, OUT.resolve("logs/processor-" + tag + ".log"),
                processorJvm("processor-" + tag)), List.of(topics.snapshots(), topics.errors()));
        section.set("processor", processor);
        BenchReport.ratioToPassthrough(section, "processor");
        BenchReport.ratioToPassthrough(section, "stateless");
        if (variants.contains("progress")) {
            section.set("progress", progressDrain(tag, guarantee, jobList));
            BenchReport.ratioToPassthrough(section, "progress");
            BenchReport.progressToReset(section);
        }

        if (variants.contains("outcome-log")) {
            Topics quiet = cluster.topics("bench-quiet-" + tag);
            Map<String, String> quietEnv = prepare(quiet, "bench-quiet-" + tag, guarantee, jobList, 0);
            section.set("processorWithOutcomeLog", drain("processor, outcome log on", BenchProcesses.jar(quietEnv,
                    OUT.resolve("logs/quiet-" + tag + ".log"), "-Dorg.slf4j.simpleLogger.log.cdn.preload.outcomes=info"),
                    List.of(quiet.snapshots(), quiet.errors())));
        }
        if (variants.contains("bad")) {
            Topics bad = cluster.topics("bench-bad-" + tag);
            Map<String, String> badEnv = prepare(bad, "bench-bad-" + tag, guarantee, jobList, 10);
            section.set("processorWithTenPercentBad", drain("processor, 10% bad commands", BenchProcesses.jar(badEnv,
                    OUT.resolve("logs/bad-" + tag + ".log")), List.of(bad.snapshots(), bad.errors())));
        }
        if (variants.contains("naive")) {
            // Topics of its own: it writes each reset job back to its jobs topic, which the processor's must not get.
            Topics naive = cluster.topics("bench-naive-" + tag);
            Map<String, String> naiveEnv = publish(naive, "bench-naive-" + tag, guarantee, jobList, warmup + commands);
            section.set("naive", drain("naive DSL variant", BenchProcesses.main(NaiveDsl.class, naiveEnv,
                    OUT.resolve("logs/naive-" + tag + ".log")), List.of(naive.snapshots(), naive.errors())));
            BenchReport.processorToNaive(section);
        }
        report.ratios(section);
        if (!variants.contains("latency")) {
            return;
        }
        section.set("latency", new LatencyRun(cluster, report, probe, latencySeconds)
                .measure(topics, processorEnv, jobList, processor.get("recordsPerSecond").asDouble(), warmup + commands));
    }

    /**
     * The processor's progress drain: its jobs stored (at generation 0), then {@link #drainCommands()}
     * progress reports of their generation, each keyed by its job's Id on its job's partition, as
     * {@link #progressMix} has them; drained as {@link #drainReports} measures.
     */
    private ObjectNode progressDrain(String tag, String guarantee, List<BenchJob> jobList) {
        String applicationId = "bench-progress-" + tag;
        Topics progress = cluster.topics(applicationId);
        Map<String, String> env = prepare(progress, applicationId, guarantee, jobList, 0, 0);
        cluster.publishProgress(progress.progress(), jobList, warmup + commands, progressMix);
        ObjectNode row = drainReports("processor, progress reports", BenchProcesses.jar(env,
                OUT.resolve("logs/progress-" + tag + ".log"), processorJvm("processor-progress-" + tag)), applicationId, progress);
        return row.put("repeatEvery", progressMix.repeatEvery()).put("mix", progressMix.describe());
    }

    /** The processor's JVM options for a drain: {@code bench.processor.jvm}, and with {@code bench.profile} a JFR recording. */
    private static String[] processorJvm(String recording) {
        List<String> jvm = new ArrayList<>();
        if (Boolean.getBoolean("bench.profile")) { // the processor's drain recorded with JFR (target/bench/processor-*.jfr)
            jvm.add("-XX:FlightRecorderOptions:stackdepth=256");
            jvm.add("-XX:StartFlightRecording=settings=profile,filename=" + OUT.resolve(recording + ".jfr"));
        }
        jvm.addAll(BenchProcesses.processorJvm());
        return jvm.toArray(String[]::new);
    }

    /**
     * Publishes the jobs to {@code topics}, has a processor with this application id store them,
     * then publishes the commands (every {@code badEvery}-th one bad; 0: none); returns its environment.
     */
    private Map<String, String> prepare(Topics topics, String applicationId, String guarantee, List<BenchJob> jobList,
                                        int badEvery) {
        return prepare(topics, applicationId, guarantee, jobList, badEvery, warmup + commands);
    }

    /** As above, with {@code count} commands published (the drain's, warm-up included; 0: none). */
    Map<String, String> prepare(Topics topics, String applicationId, String guarantee, List<BenchJob> jobList,
                                int badEvery, int count) {
        cluster.publishJobs(topics, jobList);
        Map<String, String> env = cluster.processorEnv(topics, applicationId, guarantee);
        load(env, jobList);
        cluster.rewindClock();
        cluster.publishCommands(topics.commands(), jobList, count, badEvery);
        return env;
    }

    /**
     * Publishes the jobs and then {@code count} commands to {@code topics} for a variant that loads its
     * jobs itself, such as {@link NaiveDsl}: no processor stores them first, since it would leave its
     * committed offsets and state under this application id. Returns the variant's environment.
     */
    Map<String, String> publish(Topics topics, String applicationId, String guarantee, List<BenchJob> jobList, int count) {
        cluster.publishJobs(topics, jobList);
        cluster.rewindClock();
        cluster.publishCommands(topics.commands(), jobList, count, 0);
        return cluster.processorEnv(topics, applicationId, guarantee);
    }

    /** The drain's command count, warm-up included. */
    int drainCommands() {
        return warmup + commands;
    }

    /**
     * Starts {@code child} and waits until every command (warm-up and measured) is visible on
     * {@code outputs}, then stops it. The first {@link #warmup} of them warm the new JVM up and are
     * not measured: throughput and CPU are from the last warm-up output to the last output.
     */
    ObjectNode drain(String variant, ChildProcess.Builder start, List<String> outputs) {
        int expected = warmup + commands;
        try (Observer observer = new Observer(cluster.bootstrapServers(), outputs, false)) {
            AtomicReference<ChildProcess> running = new AtomicReference<>();
            AtomicReference<CpuSample> atMark = new AtomicReference<>();
            observer.at(Math.max(1, warmup), () -> atMark.set(CpuSample.of(running.get(), cluster.broker.pid())));
            try (ChildProcess child = start.start()) {
                running.set(child);
                Wait.atMost(ProcessorProbe.PATIENCE, Duration.ofMillis(20)).alias(variant + " to drain")
                        .until(() -> observer.count() >= expected || !child.isAlive());
                CpuSample atLast = CpuSample.of(child, cluster.broker.pid());
                long measured = observer.count() - Math.max(1, warmup);
                long rss = BenchProcesses.peakRss(child.pid());
                double seconds = (observer.lastNanos() - observer.markNanos()) / 1e9;
                return report.drained(variant, measured, seconds, atMark.get(), atLast, rss);
            }
        }
    }

    /**
     * Starts {@code child} and waits until {@code group} has committed every progress report on
     * {@code topics} (warm-up and measured), then stops it. Under exactly-once the offsets are
     * committed in the transaction of the reports' JobStates, so a committed report is a drained
     * one, whether it published a JobState or not (a repeat publishes none; the processor may publish
     * one for several reports of a job in one transaction). Throughput and CPU are from the first
     * commit at or past the warm-up to the last; the JobStates that became visible on the state topic
     * are counted too, warm-up included.
     */
    private ObjectNode drainReports(String variant, ChildProcess.Builder start, String group, Topics topics) {
        int expected = warmup + commands;
        try (Observer states = new Observer(cluster.bootstrapServers(), List.of(topics.state()), true)) {
            AtomicReference<Committed> mark = new AtomicReference<>();
            AtomicReference<Committed> last = new AtomicReference<>(new Committed(0, System.nanoTime()));
            AtomicReference<CpuSample> atMark = new AtomicReference<>();
            try (ChildProcess child = start.start()) {
                Wait.atMost(ProcessorProbe.PATIENCE, Duration.ofMillis(20)).alias(variant + " to drain").until(() -> {
                    Committed now = new Committed(cluster.committed(group, topics.progress()), System.nanoTime());
                    if (now.records() > last.get().records()) {
                        last.set(now);
                    }
                    if (mark.get() == null && now.records() >= Math.max(1, warmup)) {
                        mark.set(now);
                        atMark.set(CpuSample.of(child, cluster.broker.pid()));
                    }
                    return now.records() >= expected || !child.isAlive();
                });
                CpuSample atLast = CpuSample.of(child, cluster.broker.pid());
                long measured = last.get().records() - mark.get().records();
                long rss = BenchProcesses.peakRss(child.pid());
                double seconds = (last.get().nanos() - mark.get().nanos()) / 1e9;
                ObjectNode row = report.drained(variant, measured, seconds, atMark.get(), atLast, rss);
                long published = states.settledCount(Duration.ofSeconds(1));
                return row.put("stateRecords", published)
                        .put("stateRecordsPerReport", BenchReport.round((double) published / last.get().records(), 2));
            }
        }
    }

    /** How many records a group had committed, and when that was first seen. */
    private record Committed(long records, long nanos) {
    }

    /**
     * A million jobs over {@link #scaleSites} sites: the time to load them, and to restore them after
     * the state directory is deleted, until the last job of every partition answers and a list of
     * the first site's jobs is whole; the stores' size on disk after the load.
     */
    private void scale() throws Exception {
        ObjectNode section = report.results.putObject("scale");
        List<BenchJob> jobList = BenchJob.generate(scaleJobs, scaleSites, new Random(2));
        BenchJob first = jobList.get(0);
        long listed = jobList.stream().filter(job -> job.siteId() == first.siteId() && job.aliUid().equals(first.aliUid())).count();
        Topics topics = cluster.topics("bench-scale");
        section.put("jobs", scaleJobs).put("sites", scaleSites).put("loadAverageAtStart", ListBenchmark.loadAverage());
        long published = System.nanoTime();
        cluster.publishJobs(topics, jobList);
        section.put("publishSeconds", BenchReport.round((System.nanoTime() - published) / 1e9, 1));
        Map<String, String> env = cluster.processorEnv(topics, "bench-scale", "exactly_once_v2");
        long loading = System.nanoTime();
        long loadRss = load(env, jobList);
        section.put("loadSeconds", BenchReport.round((System.nanoTime() - loading) / 1e9, 1)).put("loadPeakRssMB", loadRss >> 20);
        Path stateDir = Path.of(env.get("KAFKA_STATE_DIR"));
        section.set("storeMBOnDisk", storeSizes(stateDir));
        ArrayNode restores = section.putArray("restores");
        for (int restore = 0; restore < scaleRestores; restore++) {
            TestBroker.delete(stateDir);
            Map<String, String> restoreEnv = new java.util.HashMap<>(env);
            String settings = scaleRestoreEnv[restore % scaleRestoreEnv.length];
            restoreEnv.putAll(BenchCluster.env(settings));
            ObjectNode row = restores.addObject().put("loadAverageBeforeRestore", ListBenchmark.loadAverage())
                    .put("settings", settings);
            long brokerCpu = BenchProcesses.cpu(cluster.broker.pid()).toMillis();
            long restoring = System.nanoTime();
            try (ChildProcess child = BenchProcesses.jar(restoreEnv, OUT.resolve("logs/scale-restore-" + restore + ".log")).start()) {
                probe.awaitRunning(restoreEnv);
                probe.awaitLoaded(restoreEnv, jobList);
                double seconds = (System.nanoTime() - restoring) / 1e9;
                row.put("restoreCpuSeconds", BenchReport.round(BenchProcesses.cpu(child.pid()).toMillis() / 1e3, 1));
                row.put("restoreBrokerCpuSeconds", BenchReport.round((BenchProcesses.cpu(cluster.broker.pid()).toMillis() - brokerCpu) / 1e3, 1));
                long rss = BenchProcesses.peakRss(child.pid());
                probe.awaitList(restoreEnv, first.siteId(), first.aliUid(), listed);
                double listSeconds = (System.nanoTime() - restoring) / 1e9;
                ObjectNode heap = probe.heap(restoreEnv);
                row.put("restoreSeconds", BenchReport.round(seconds, 1)).put("restorePeakRssMB", rss >> 20)
                        .put("restoreToWholeListSeconds", BenchReport.round(listSeconds, 1)).put("listedJobs", listed);
                row.set("heapAfterRestore", heap);
                if (restore == 0) { // the figures of the first restore, as before
                    section.put("loadAverageBeforeRestore", row.get("loadAverageBeforeRestore").asText());
                    ObjectNode figures = row.deepCopy();
                    figures.remove("loadAverageBeforeRestore");
                    section.setAll(figures);
                }
                report.scale(scaleJobs, section.get("loadSeconds").asDouble(), seconds, rss, heap);
                if (!settings.isBlank()) {
                    report.line("(that restore with " + settings + ")");
                }
            }
        }
    }

    /** The size on disk of each store of the state directory, over all its tasks, in MB. */
    private static ObjectNode storeSizes(Path stateDir) throws java.io.IOException {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        try (var files = Files.walk(stateDir)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                Path relative = stateDir.relativize(file);
                for (int i = 0; i + 1 < relative.getNameCount(); i++) {
                    if (relative.getName(i).toString().equals("rocksdb")) {
                        try {
                            bytes.merge(relative.getName(i + 1).toString(), Files.size(file), Long::sum);
                        } catch (java.io.IOException e) {
                            // gone meanwhile
                        }
                        return;
                    }
                }
            });
        }
        ObjectNode sizes = BenchReport.JSON.createObjectNode();
        bytes.forEach((store, size) -> sizes.put(store, size >> 20));
        System.out.println("stores on disk after the load, MB: " + sizes);
        return sizes;
    }

    /** Starts the processor until every job is queryable, then stops it; returns its peak RSS. */
    private long load(Map<String, String> env, List<BenchJob> jobList) {
        try (ChildProcess child = BenchProcesses.jar(env, OUT.resolve("logs/load-" + env.get("KAFKA_APPLICATION_ID") + ".log"))
                .start()) {
            probe.awaitRunning(env);
            probe.awaitLoaded(env, jobList);
            return BenchProcesses.peakRss(child.pid()); // then closing it stops it
        }
    }
}
