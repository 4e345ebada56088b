package cdn.preload.bench;

import cdn.preload.streams.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The latency a caller sees ({@code bin/latency}): a paced producer offers resets at fixed rates
 * (50, 500 and 5,000 a second by default) across many jobs, each load after a warm-up at it, and a
 * {@code read_committed} consumer times each answer from its send; the first second of each load
 * is left out. With {@code -Dbench.frontier.commits=5,10,20,50,100} it measures each
 * {@code commit.interval.ms} in turn, with the drain rate and 50% of it ({@code bench.frontier.drain},
 * on by then): the frontier between a waiting caller's latency and the throughput. The setting
 * {@code naive} measures the naive DSL variant ({@link NaiveDsl}) the same way, with the default
 * commit interval, e.g. {@code -Dbench.frontier.commits=default,naive}. Results go to
 * {@code target/bench/frontier.md}, {@code frontier.json} and {@code frontier.png} (latency against
 * offered load, a line a setting).
 */
public final class LatencyFrontier {
    /** The setting that leaves the commit interval as the processor's defaults have it. */
    private static final String DEFAULTS = "default";
    /** The setting that measures {@link NaiveDsl} instead of the processor, with the default commit interval. */
    private static final String NAIVE = "naive";

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<String> commits = List.of(System.getProperty("bench.frontier.commits", DEFAULTS).split(","));
        boolean drain = Boolean.parseBoolean(System.getProperty("bench.frontier.drain",
                Boolean.toString(commits.size() > 1)));
        List<Integer> rates = new ArrayList<>();
        for (String rate : System.getProperty("bench.frontier.rates", "50,500,5000").split(",")) {
            rates.add(Integer.parseInt(rate.trim()));
        }
        int seconds = Integer.getInteger("bench.latency.seconds", 20);
        BenchReport report = new BenchReport();
        ObjectNode results = report.results;
        results.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", one local KRaft broker (Kafka 4.4.0), the processor in its own JVM with " + BenchProcesses.HEAP);
        ArrayNode settings = results.putArray("settings");
        try (BenchCluster cluster = new BenchCluster()) {
            EndToEndBenchmark bench = new EndToEndBenchmark(cluster, report);
            ProcessorProbe probe = new ProcessorProbe(BenchReport.JSON);
            List<BenchJob> jobList = BenchJob.generate(Integer.getInteger("bench.jobs", 10_000), new Random(1));
            for (String commit : commits) {
                String name = "frontier-" + commit.trim().replaceAll("[^A-Za-z0-9-]", "-");
                Topics topics = cluster.topics(name);
                // "<interval ms>[:<COMMIT_WHEN_FRESH>[:<COMMIT_WHEN_FRESH_MIN_GAP>]][+NAME=value...]", e.g.
                // 100:50ms:10ms+KAFKA_LINGER_MS=0; "default": as configured; "naive[+NAME=value...]": NaiveDsl
                String[] settingAndEnv = commit.trim().split("\\+");
                boolean naive = settingAndEnv[0].equals(NAIVE);
                // The naive variant reads its jobs itself (its KTable), under an application id no processor has used.
                Map<String, String> env = naive
                        ? bench.publish(topics, name, "exactly_once_v2", jobList, drain ? bench.drainCommands() : 0)
                        : bench.prepare(topics, name, "exactly_once_v2", jobList, 0, drain ? bench.drainCommands() : 0);
                LatencyRun.Subject subject = naive ? LatencyRun.Subject.main(NaiveDsl.class) : LatencyRun.Subject.PROCESSOR;
                String title = naive ? "naive DSL variant, commit.interval.ms default" + commit.trim().substring(NAIVE.length())
                        : "commit.interval.ms " + commit.trim();
                for (int i = 1; i < settingAndEnv.length; i++) {
                    String[] variable = settingAndEnv[i].split("=", 2);
                    env.put(variable[0], variable[1]);
                }
                String[] parts = settingAndEnv[0].split(":");
                if (!naive && !parts[0].equals(DEFAULTS)) {
                    env.put("KAFKA_COMMIT_INTERVAL_MS", parts[0]);
                }
                if (parts.length > 1) {
                    env.put("COMMIT_WHEN_FRESH", parts[1]);
                }
                if (parts.length > 2) {
                    env.put("COMMIT_WHEN_FRESH_MIN_GAP", parts[2]);
                }
                ObjectNode setting = settings.addObject().put("commitIntervalMs", commit.trim());
                // Warm-ups (not reported) at each load in turn, then the measured loads in the same order.
                List<Integer> offered = new ArrayList<>(rates);
                double[] fractions = new double[rates.size() + 1];
                Arrays.fill(fractions, Double.NaN);
                if (drain) {
                    report.section(title);
                    ObjectNode drained = bench.drain(naive ? title : "processor, " + title,
                            subject.start().apply(env, BenchReport.OUT.resolve("logs/" + name + "-drain.log")),
                            List.of(topics.snapshots(), topics.errors()));
                    setting.set("drain", drained);
                    offered.add((int) (drained.get("recordsPerSecond").asDouble() / 2));
                    fractions[rates.size()] = 0.5;
                } else {
                    report.heading(title);
                }
                List<LatencyRun.Load> loads = new ArrayList<>();
                for (boolean warmUp : new boolean[] {true, false}) {
                    for (int i = 0; i < offered.size(); i++) {
                        loads.add(new LatencyRun.Load(fractions[i], offered.get(i), warmUp ? 5 : seconds, warmUp));
                    }
                }
                setting.set("latency", new LatencyRun(cluster, report, probe, seconds)
                        .measure(topics, env, jobList, loads, drain ? bench.drainCommands() : 0, subject));
            }
        } finally {
            report.write("frontier");
            chart(settings, BenchReport.OUT.resolve("frontier.png"));
        }
    }

    /** p50 (thin) and p99 (thick) against offered load, a colour a setting. */
    static void chart(JsonNode settings, Path png) throws IOException {
        XYSeriesCollection lines = new XYSeriesCollection();
        for (JsonNode setting : settings) {
            String[] settingAndEnv = setting.get("commitIntervalMs").asText().split("\\+", 2);
            String[] parts = settingAndEnv[0].split(":");
            String label = (parts[0].equals(NAIVE) ? "naive DSL variant"
                    : parts[0].equals(DEFAULTS) ? "defaults" : "commit " + parts[0] + " ms")
                    + (parts.length > 1 ? ", when fresh " + parts[1] : "")
                    + (parts.length > 2 ? " every " + parts[2] : "")
                    + (settingAndEnv.length > 1 ? ", " + settingAndEnv[1] : "");
            XYSeries p50 = new XYSeries(label + ", p50");
            XYSeries p99 = new XYSeries(label + ", p99");
            for (JsonNode row : setting.path("latency")) {
                p50.add(row.get("commandsPerSecond").asDouble(), row.get("p50ms").asDouble());
                p99.add(row.get("commandsPerSecond").asDouble(), row.get("p99ms").asDouble());
            }
            lines.addSeries(p50);
            lines.addSeries(p99);
        }
        LogAxis load = new LogAxis("offered load, resets/s (log scale)");
        load.setSmallestValue(10);
        load.setTickUnit(new NumberTickUnit(1)); // a tick a power of ten, written as a number
        load.setNumberFormatOverride(new DecimalFormat("#,##0"));
        LogAxis latency = new LogAxis("send to answer visible (read_committed), ms (log scale)");
        latency.setSmallestValue(1);
        latency.setTickUnit(new NumberTickUnit(1));
        latency.setNumberFormatOverride(new DecimalFormat("#,##0"));
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
        for (int series = 0; series < lines.getSeriesCount(); series++) {
            renderer.setSeriesPaint(series, colours[(series / 2) % colours.length]);
            renderer.setSeriesStroke(series, new BasicStroke(series % 2 == 0 ? 1.2f : 2.8f));
        }
        XYPlot plot = new XYPlot(lines, load, latency, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("Latency a caller sees, by commit.interval.ms (exactly-once)",
                JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 960, 600);
    }

    /** Draws the chart again from a frontier.json ({@code args[0]}) into {@code args[1]}, e.g. for docs/. */
    static final class Redraw {
        public static void main(String[] args) throws IOException {
            System.setProperty("java.awt.headless", "true");
            chart(BenchReport.JSON.readTree(Path.of(args[0]).toFile()).get("settings"), Path.of(args[1]));
        }
    }
}
