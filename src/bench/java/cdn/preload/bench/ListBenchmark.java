package cdn.preload.bench;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.ListScanBenchmark;
import cdn.preload.streams.Topics;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * ListScheduledPreloadJobs ({@code GET /jobs?SiteId=..&AliUid=..}) on two instances of the processor
 * ({@code bin/bench-list}): {@code bench.list.jobs} jobs (1,000,000) over {@code bench.list.sites}
 * sites (10,000: every site has 100 jobs, all of one account, on every partition) are published to
 * one local broker and loaded by two processor jars of one application id, each with a state
 * directory and an HTTP port of its own. Once both are running, each answers a whole list and every
 * job is stored, each instance is asked {@code bench.list.requests} times (1,000, after
 * {@code bench.list.warmup}, 300) for the first page of 20 of one site's jobs, one request at a time,
 * over one HTTP/1.1 connection; every answer must be 200 with the site's count and the page the
 * model expects. Then a few requests with curl, as a cross-check of the client. Then, in this JVM,
 * without Kafka, the full scan that a list without the index would be ({@link ListScanBenchmark}),
 * of the jobs of the instance that holds fewer of the site's jobs.
 *
 * <p>Figures go to {@code target/bench/list.json} and {@code list.md}.
 */
public final class ListBenchmark {
    private static final Path OUT = BenchReport.OUT;
    private static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);
    private static final int PAGE_SIZE = 20;

    private final int jobs = Integer.getInteger("bench.list.jobs", 1_000_000);
    private final int sites = Integer.getInteger("bench.list.sites", 10_000);
    /** The site listed: its index, from 0. */
    private final int site = Integer.getInteger("bench.list.site", 0);
    private final int requests = Integer.getInteger("bench.list.requests", 1_000);
    private final int warmup = Integer.getInteger("bench.list.warmup", 300);
    private final int rounds = Integer.getInteger("bench.list.rounds", 2);
    private final int curls = Integer.getInteger("bench.list.curl", 20);
    private final boolean scan = Boolean.parseBoolean(System.getProperty("bench.list.scan", "true"));
    /** JFR recordings of both instances while the lists are measured: target/bench/list-a.jfr and list-b.jfr. */
    private final boolean profile = Boolean.getBoolean("bench.list.profile");
    private final BenchReport report = new BenchReport();
    private final ProcessorProbe probe = new ProcessorProbe(BenchReport.JSON);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        new ListBenchmark().run();
    }

    private ListBenchmark() {
    }

    private void run() throws Exception {
        ObjectNode results = report.results;
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", one local KRaft broker (Kafka 4.4.0), each processor in its own JVM with " + BenchProcesses.HEAP);
        results.put("loadAverageAtStart", loadAverage());
        List<BenchJob> jobList = BenchJob.generate(jobs, sites, new Random(3));
        List<BenchJob> listed = jobList.stream().filter(job -> job.index() % sites == site)
                .sorted(Comparator.comparing((BenchJob job) -> job.createdAt()).reversed().thenComparing(BenchJob::id)).toList();
        BenchJob first = listed.get(0);
        long siteId = first.siteId();
        String aliUid = first.aliUid();
        if (listed.stream().anyMatch(job -> !job.aliUid().equals(aliUid))) {
            throw new IllegalStateException("bench.list.sites must be a multiple of " + BenchJob.ACCOUNTS
                    + ": the site's jobs are not all one account's");
        }
        List<String> page = listed.stream().limit(PAGE_SIZE).map(BenchJob::id).toList();
        int[] perPartition = new int[PARTITIONS];
        for (BenchJob job : listed) {
            perPartition[partition(job)]++;
        }
        results.put("jobs", jobs).put("sites", sites).put("siteId", siteId).put("aliUid", aliUid)
                .put("siteJobs", listed.size());
        ArrayNode spread = results.putArray("siteJobsPerPartition");
        for (int count : perPartition) {
            spread.add(count);
        }
        report.heading("lists of a site's jobs");
        line(String.format(Locale.ROOT, "%,d jobs over %,d sites; site %d (account %s) has %d jobs, per partition %s",
                jobs, sites, siteId, aliUid, listed.size(), spread));

        Map<String, Integer> holds = new HashMap<>();
        try (BenchCluster cluster = new BenchCluster()) {
            results.put("brokerFileSystem", Files.getFileStore(cluster.dir).type())
                    .put("stateFileSystem", Files.getFileStore(cluster.stateDir).type());
            Topics topics = cluster.topics("bench-list");
            long publishing = System.nanoTime();
            cluster.publishJobs(topics, jobList);
            results.put("publishSeconds", BenchReport.round((System.nanoTime() - publishing) / 1e9, 1));
            Map<String, String> a = cluster.processorEnv(topics, "bench-list", "exactly_once_v2");
            Map<String, String> b = new HashMap<>(a);
            b.put("KAFKA_STATE_DIR", a.get("KAFKA_STATE_DIR") + "-b");
            b.put("HTTP_PORT", Integer.toString(LocalKafka.freePort()));
            String query = "/jobs?SiteId=" + siteId + "&AliUid=" + aliUid + "&PageSize=" + PAGE_SIZE;
            long loading = System.nanoTime();
            String[] jvm = BenchProcesses.processorJvm().toArray(String[]::new);
            try (ChildProcess instanceA = BenchProcesses.jar(a, OUT.resolve("logs/list-a.log"), jvm).start();
                 ChildProcess instanceB = BenchProcesses.jar(b, OUT.resolve("logs/list-b.log"), jvm).start()) {
                for (Map<String, String> env : List.of(a, b)) {
                    probe.awaitRunning(env);
                    probe.awaitLoaded(env, jobList);
                }
                for (Map<String, String> env : List.of(a, b)) {
                    Wait.atMost(ProcessorProbe.PATIENCE, Duration.ofMillis(100)).alias("a whole list from " + env.get("HTTP_PORT"))
                            .until(() -> ask(env, query).statusCode() == 200);
                }
                results.put("loadSeconds", BenchReport.round((System.nanoTime() - loading) / 1e9, 1));
                Map<String, Set<Integer>> held = new HashMap<>();
                Wait.atMost(ProcessorProbe.PATIENCE, Duration.ofMillis(500)).alias("every partition held by one instance")
                        .until(() -> {
                            held.put("a", held(a, topics.jobs()));
                            held.put("b", held(b, topics.jobs()));
                            Set<Integer> all = new TreeSet<>(held.get("a"));
                            all.addAll(held.get("b"));
                            return all.size() == PARTITIONS && held.get("a").size() + held.get("b").size() == PARTITIONS;
                        });
                for (String name : List.of("a", "b")) {
                    holds.put(name, held.get(name).stream().mapToInt(p -> perPartition[p]).sum());
                }
                line(String.format(Locale.ROOT, "loaded in %.1f s (publish %.1f s); instance a holds partitions %s (%d of the"
                                + " site's jobs), b %s (%d)", results.get("loadSeconds").asDouble(),
                        results.get("publishSeconds").asDouble(), held.get("a"), holds.get("a"), held.get("b"), holds.get("b")));
                ObjectNode instances = results.putObject("instances");
                for (String name : List.of("a", "b")) {
                    ArrayNode partitions = instances.putObject(name).put("siteJobs", holds.get(name)).putArray("partitions");
                    held.get(name).forEach(partitions::add);
                }

                List<Long> ours = List.of(instanceA.pid(), instanceB.pid(), cluster.broker.pid(), ProcessHandle.current().pid());
                results.put("settleSeconds", settle(instanceA, instanceB));
                line("\n| round | instance | site's jobs held | requests | p50 ms | p90 ms | p99 ms | max ms | mean ms | load average"
                        + " | CPU s of other processes | both instances' CPU ms per list |"
                        + "\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");
                if (profile) { // JFR on both instances while the lists are measured (target/bench/list-a.jfr, list-b.jfr)
                    jcmd(instanceA.pid(), "JFR.start", "name=lists", "settings=profile");
                    jcmd(instanceB.pid(), "JFR.start", "name=lists", "settings=profile");
                }
                ArrayNode rows = results.putArray("latency");
                for (int round = 1; round <= rounds; round++) {
                    for (String name : List.of("a", "b")) {
                        Map<String, String> env = name.equals("a") ? a : b;
                        String load = loadAverage();
                        double othersBefore = othersCpuSeconds(ours);
                        long instancesBefore = BenchProcesses.cpu(instanceA.pid()).toMillis() + BenchProcesses.cpu(instanceB.pid()).toMillis();
                        Histogram latencies = measure(env, query, listed.size(), page);
                        long instancesCpu = BenchProcesses.cpu(instanceA.pid()).toMillis() + BenchProcesses.cpu(instanceB.pid()).toMillis()
                                - instancesBefore;
                        rows.add(row(round, name, holds.get(name), latencies, load, othersCpuSeconds(ours) - othersBefore,
                                (double) instancesCpu / (warmup + requests)));
                    }
                }
                if (profile) {
                    jcmd(instanceA.pid(), "JFR.stop", "name=lists", "filename=" + OUT.resolve("list-a.jfr").toAbsolutePath());
                    jcmd(instanceB.pid(), "JFR.stop", "name=lists", "filename=" + OUT.resolve("list-b.jfr").toAbsolutePath());
                }
                ArrayNode curlRows = results.putArray("curl");
                for (String name : List.of("a", "b")) {
                    curlRows.add(curl(name, name.equals("a") ? a : b, query));
                }
                // The HTTP path without the list: GET /jobs/{Id} of a job this instance holds, and of one the other holds
                line("\nFor comparison, `GET /jobs/{Id}` one at a time, as many:\n\n| instance | job held by | p50 ms | p99 ms | max ms |"
                        + "\n|---|---|---:|---:|---:|");
                ArrayNode single = results.putArray("getJob");
                for (String name : List.of("a", "b")) {
                    for (String holder : List.of("a", "b")) {
                        BenchJob job = listed.stream().filter(j -> held.get(holder).contains(partition(j))).findFirst().orElseThrow();
                        Histogram latencies = measureGet(name.equals("a") ? a : b, "/jobs/" + job.id() + "?AliUid=" + aliUid);
                        ObjectNode row = single.addObject().put("instance", name).put("heldBy", holder)
                                .put("p50ms", ms(latencies.getValueAtPercentile(50))).put("p99ms", ms(latencies.getValueAtPercentile(99)))
                                .put("maxms", ms(latencies.getMaxValue()));
                        line(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f |", name, holder, row.get("p50ms").asDouble(),
                                row.get("p99ms").asDouble(), row.get("maxms").asDouble()));
                    }
                }
                results.put("instanceA", instanceA.pid()).put("instanceB", instanceB.pid());
            }
        } finally {
            report.write("list");
        }
        if (scan) {
            String fewer = holds.get("a") <= holds.get("b") ? "a" : "b";
            Set<Integer> partitions = new TreeSet<>();
            for (JsonNode p : report.results.get("instances").get(fewer).get("partitions")) {
                partitions.add(p.asInt());
            }
            Iterable<ListScanBenchmark.Job> stored = () -> jobList.stream().filter(job -> partitions.contains(partition(job)))
                    .map(job -> new ListScanBenchmark.Job(job.id(), job.json())).iterator();
            line(String.format(Locale.ROOT, "\nthe full scan: the jobs of instance %s (partitions %s), in one store of a"
                    + " TopologyTestDriver on RocksDB", fewer, partitions));
            report.results.set("scan", new ListScanBenchmark(stored, siteId, aliUid, PAGE_SIZE).run(this::line));
            report.write("list");
        }
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + line + " failed: " + out);
        }
    }

    /** The partition of the jobs topic, and so of the job store, that holds the job. */
    private static int partition(BenchJob job) {
        return Partitioners.murmur2(job.id().getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }

    /**
     * {@code requests} lists, after {@code warmup} of them, one at a time; each timed from before it
     * is sent until its whole body is read (nanoseconds), and each checked after that.
     */
    private Histogram measure(Map<String, String> env, String query, int total, List<String> page) throws Exception {
        Histogram latencies = new Histogram(3);
        for (int i = 0; i < warmup + requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> answer = ask(env, query);
            long nanos = System.nanoTime() - start;
            check(answer, total, page);
            if (i >= warmup) {
                latencies.recordValue(nanos);
            }
        }
        return latencies;
    }

    /** As {@link #measure}, for {@code GET /jobs/{Id}}: each answer must be 200. */
    private Histogram measureGet(Map<String, String> env, String path) throws Exception {
        Histogram latencies = new Histogram(3);
        for (int i = 0; i < warmup + requests; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> answer = ask(env, path);
            long nanos = System.nanoTime() - start;
            if (answer.statusCode() != 200) {
                throw new IllegalStateException(path + " was answered " + answer.statusCode());
            }
            if (i >= warmup) {
                latencies.recordValue(nanos);
            }
        }
        return latencies;
    }

    private static void check(HttpResponse<byte[]> answer, int total, List<String> page) throws IOException {
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("a list was answered " + answer.statusCode() + ": "
                    + new String(answer.body(), StandardCharsets.UTF_8));
        }
        JsonNode list = BenchReport.JSON.readTree(answer.body());
        List<String> ids = new ArrayList<>();
        list.get("Jobs").forEach(job -> ids.add(job.get("Id").asText()));
        if (list.get("TotalCount").asLong() != total || !ids.equals(page)) {
            throw new IllegalStateException("a list is not the model's: TotalCount " + list.get("TotalCount") + " (expected "
                    + total + "), Ids " + ids + " (expected " + page + ")");
        }
    }

    private HttpResponse<byte[]> ask(Map<String, String> env, String path) throws IOException, InterruptedException {
        return http.send(request(env, path).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest.Builder request(Map<String, String> env, String path) {
        return HttpRequest.newBuilder(URI.create(url(env, path)))
                .header("Authorization", "Bearer " + env.get("HTTP_AUTH_TOKEN")).timeout(Duration.ofSeconds(10));
    }

    private static String url(Map<String, String> env, String path) {
        return "http://127.0.0.1:" + env.get("HTTP_PORT") + path;
    }

    /**
     * The partitions of the jobs topic that an instance's stream threads consume, as its
     * {@code /metrics} shows them: the main consumer's per-partition lag (the restore consumer reads
     * the changelogs, never the jobs topic).
     */
    private Set<Integer> held(Map<String, String> env, String jobsTopic) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url(env, "/metrics"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Set<Integer> partitions = new TreeSet<>();
        Pattern lag = Pattern.compile("^kafka_consumer_fetch_manager_records_lag\\{(.*)\\}.*$", Pattern.MULTILINE);
        Matcher lines = lag.matcher(metrics);
        while (lines.find()) {
            String tags = lines.group(1);
            Matcher topic = Pattern.compile("topic=\"([^\"]*)\"").matcher(tags);
            Matcher partition = Pattern.compile("partition=\"(\\d+)\"").matcher(tags);
            if (topic.find() && topic.group(1).equals(jobsTopic) && partition.find()) {
                partitions.add(Integer.parseInt(partition.group(1)));
            }
        }
        return partitions;
    }

    /**
     * Waits until the two instances are idle after their load (their RocksDB compactions done): less
     * than 0.1 CPU s used by both over 2 s, for at most 3 minutes; returns how long it took.
     */
    private static double settle(ChildProcess a, ChildProcess b) throws InterruptedException {
        long start = System.nanoTime();
        long before = BenchProcesses.cpu(a.pid()).toMillis() + BenchProcesses.cpu(b.pid()).toMillis();
        while (System.nanoTime() - start < Duration.ofMinutes(3).toNanos()) {
            Thread.sleep(2_000);
            long now = BenchProcesses.cpu(a.pid()).toMillis() + BenchProcesses.cpu(b.pid()).toMillis();
            if (now - before < 100) {
                break;
            }
            before = now;
        }
        return BenchReport.round((System.nanoTime() - start) / 1e9, 1);
    }

    /**
     * CPU seconds the machine has spent (user, nice, system, irq, softirq, from /proc/stat) less those
     * of the benchmark's own processes: other work on the machine, counted as it goes.
     */
    private static double othersCpuSeconds(List<Long> ours) {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int field : new int[] {1, 2, 3, 6, 7}) {
                ticks += Long.parseLong(cpu[field]);
            }
            double mine = ours.stream().mapToLong(pid -> BenchProcesses.cpu(pid).toMillis()).sum() / 1e3;
            return ticks / 100.0 - mine; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private ObjectNode row(int round, String name, int held, Histogram latencies, String load, double othersCpu,
                           double cpuPerList) {
        ObjectNode row = BenchReport.JSON.createObjectNode().put("round", round).put("instance", name).put("siteJobsHeld", held)
                .put("requests", latencies.getTotalCount())
                .put("p50ms", ms(latencies.getValueAtPercentile(50))).put("p90ms", ms(latencies.getValueAtPercentile(90)))
                .put("p99ms", ms(latencies.getValueAtPercentile(99))).put("maxms", ms(latencies.getMaxValue()))
                .put("meanms", ms((long) latencies.getMean())).put("loadAverage", load)
                .put("othersCpuSeconds", BenchReport.round(othersCpu, 1)).put("instancesCpuMsPerList", BenchReport.round(cpuPerList, 2));
        line(String.format(Locale.ROOT, "| %d | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %.1f | %.2f |", round, name,
                held, latencies.getTotalCount(), row.get("p50ms").asDouble(), row.get("p90ms").asDouble(),
                row.get("p99ms").asDouble(), row.get("maxms").asDouble(), row.get("meanms").asDouble(), load, othersCpu, cpuPerList));
        return row;
    }

    /** {@link #curls} lists with curl, a process and a connection each: curl's own total time of each. */
    private ObjectNode curl(String name, Map<String, String> env, String query) throws Exception {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < curls; i++) {
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                    "-H", "Authorization: Bearer " + env.get("HTTP_AUTH_TOKEN"), url(env, query)).redirectErrorStream(true).start();
            String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            curl.waitFor();
            String[] parts = out.split(" ");
            if (!parts[0].equals("200")) {
                throw new IllegalStateException("curl got " + out);
            }
            times.add(Double.parseDouble(parts[1]) * 1000);
        }
        times.sort(null);
        ObjectNode row = BenchReport.JSON.createObjectNode().put("instance", name).put("requests", curls)
                .put("medianms", BenchReport.round(times.get(times.size() / 2), 2))
                .put("maxms", BenchReport.round(times.get(times.size() - 1), 2));
        line(String.format(Locale.ROOT, "curl, instance %s: %d lists, median %.2f ms, max %.2f ms (curl's time_total)", name,
                curls, row.get("medianms").asDouble(), row.get("maxms").asDouble()));
        return row;
    }

    private static double ms(long nanos) {
        return BenchReport.round(nanos / 1e6, 2);
    }

    /** The machine's load averages (1, 5, 15 minutes), as uptime shows them. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private void line(String text) {
        report.line(text);
    }
}
