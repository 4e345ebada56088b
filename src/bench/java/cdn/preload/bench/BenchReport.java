package cdn.preload.bench;

import cdn.preload.bench.BenchProcesses.CpuSample;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The benchmark's figures: as JSON ({@code target/bench/results.json}) and as the Markdown tables
 * that are printed as they come and kept in {@code target/bench/results.md}. docs/PERFORMANCE.md
 * quotes both: their sections and field names stay as they are.
 */
final class BenchReport {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final Path OUT = Path.of("target", "bench");

    final ObjectNode results = JSON.createObjectNode();
    private final StringBuilder markdown = new StringBuilder();

    /** The section of one processing guarantee, and the head of its table of drain rates. */
    ObjectNode guarantee(String guarantee) {
        section(guarantee);
        return results.putObject(guarantee);
    }

    /**
     * The row of one drained variant: {@code measured} records in {@code seconds}, the CPU used
     * from {@code atMark} to {@code atLast}, the peak RSS.
     */
    ObjectNode drained(String variant, long measured, double seconds, CpuSample atMark, CpuSample atLast, long rss) {
        double perSecond = measured / seconds;
        double cpuPer100k = per100k(atLast.process() - atMark.process(), measured);
        ObjectNode row = JSON.createObjectNode().put("records", measured).put("seconds", round(seconds, 1))
                .put("recordsPerSecond", Math.round(perSecond)).put("cpuSecondsPer100k", round(cpuPer100k, 1))
                .put("peakRssMB", rss >> 20)
                .put("brokerCpuSecondsPer100k", round(per100k(atLast.broker() - atMark.broker(), measured), 2));
        row.set("cpuSecondsPer100kByThread", byThread(atMark.threads(), atLast.threads(), measured));
        row.set("brokerCpuSecondsPer100kByThread", byThread(atMark.brokerThreads(), atLast.brokerThreads(), measured));
        line(String.format(Locale.ROOT, "| %s | %d | %.1f | %,d | %.1f | %.1f | %d |", variant, measured, seconds,
                Math.round(perSecond), cpuPer100k, row.get("brokerCpuSecondsPer100k").asDouble(), rss >> 20));
        System.out.println(variant + ", CPU s per 100k by thread: " + row.get("cpuSecondsPer100kByThread")
                + "; the broker's: " + row.get("brokerCpuSecondsPer100kByThread"));
        return row;
    }

    /** Puts {@code <variant>ToPassthrough}, the variant's drain rate over the pass-through's, when both ran. */
    static void ratioToPassthrough(ObjectNode section, String variant) {
        if (section.has(variant) && section.has("passthrough")) {
            double ratio = section.get(variant).get("recordsPerSecond").asDouble()
                    / section.get("passthrough").get("recordsPerSecond").asDouble();
            section.put(variant + "ToPassthrough", round(ratio, 2));
        }
    }

    /** Puts {@code processorToNaive}, the processor's drain rate over the naive DSL variant's, when both ran. */
    static void processorToNaive(ObjectNode section) {
        if (section.has("processor") && section.has("naive")) {
            double ratio = section.get("processor").get("recordsPerSecond").asDouble()
                    / section.get("naive").get("recordsPerSecond").asDouble();
            section.put("processorToNaive", round(ratio, 2));
        }
    }

    /** Puts {@code progressToReset}, the progress drain's rate over the reset drain's (the processor's), when both ran. */
    static void progressToReset(ObjectNode section) {
        if (section.has("progress") && section.has("processor")) {
            double ratio = section.get("progress").get("recordsPerSecond").asDouble()
                    / section.get("processor").get("recordsPerSecond").asDouble();
            section.put("progressToReset", round(ratio, 2));
        }
    }

    /** The lines of the ratios that {@link #ratioToPassthrough}, {@link #progressToReset} and {@link #processorToNaive} put. */
    void ratios(ObjectNode section) {
        if (section.has("processorToPassthrough")) {
            line(String.format(Locale.ROOT, "\nprocessor / passthrough: %.2f\n", section.get("processorToPassthrough").asDouble()));
            if (section.has("statelessToPassthrough")) {
                line(String.format(Locale.ROOT, "stateless floor / passthrough: %.2f\n", section.get("statelessToPassthrough").asDouble()));
            }
            if (section.has("progressToPassthrough")) {
                line(String.format(Locale.ROOT, "progress drain / passthrough: %.2f\n", section.get("progressToPassthrough").asDouble()));
            }
        }
        if (section.has("progressToReset")) {
            JsonNode progress = section.get("progress");
            line(String.format(Locale.ROOT, "progress drain / reset drain: %.2f (%s; JobStates per report: %.2f)\n",
                    section.get("progressToReset").asDouble(), progress.get("mix").asText(),
                    progress.get("stateRecordsPerReport").asDouble()));
        }
        if (section.has("processorToNaive")) {
            line(String.format(Locale.ROOT, "\nprocessor / naive DSL variant: %.2f\n", section.get("processorToNaive").asDouble()));
        }
    }

    /** The head of the latency table; its rows go to the returned array. */
    ArrayNode latencyTable() {
        line("\n| offered load | commands/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | I/O stall ms | CPU wait ms |"
                + "\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        return JSON.createArrayNode();
    }

    /**
     * The latency row of one load: {@code rate} commands a second at {@code fraction} of the maximum,
     * their latencies in nanoseconds, and the machine's I/O and CPU stalls meanwhile (ms).
     */
    void latency(ArrayNode rows, double fraction, int rate, Histogram latencies, long[] stalls) {
        ObjectNode row = rows.addObject().put("fraction", fraction).put("commandsPerSecond", rate)
                .put("p50ms", ms(latencies, 50)).put("p90ms", ms(latencies, 90)).put("p99ms", ms(latencies, 99))
                .put("p999ms", ms(latencies, 99.9)).put("maxms", ms(latencies, 100))
                .put("ioFullStallMs", stalls[0]).put("cpuSomeStallMs", stalls[1]);
        line(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %,d | %,d |",
                Double.isNaN(fraction) ? "fixed" : Math.round(fraction * 100) + "%", rate, row.get("p50ms").asDouble(),
                row.get("p90ms").asDouble(), row.get("p99ms").asDouble(), row.get("p999ms").asDouble(),
                row.get("maxms").asDouble(), stalls[0], stalls[1]));
    }

    /** The scale run's sentence. */
    void scale(int jobs, double loadSeconds, double restoreSeconds, long restoreRss, ObjectNode heap) {
        line(String.format(Locale.ROOT, "\n## scale\n\n%,d jobs: loaded from the jobs topic in %.1f s; after the state"
                + " directory was deleted, restored and answering in %.1f s; peak RSS %d MB; heap used %s MB of %s MB.",
                jobs, loadSeconds, restoreSeconds, restoreRss >> 20, heap.path("usedMB").asText(), heap.path("maxMB").asText()));
    }

    /** Writes results.json and results.md, and prints the tables once more. */
    void write() throws IOException {
        write("results");
    }

    /** Writes {@code name}.json and {@code name}.md, and prints the tables once more. */
    void write(String name) throws IOException {
        Files.createDirectories(OUT);
        Files.writeString(OUT.resolve(name + ".json"), JSON.writeValueAsString(results));
        Files.writeString(OUT.resolve(name + ".md"), markdown.toString());
        System.out.println(markdown);
    }

    /** A heading. */
    void heading(String title) {
        line("\n## " + title);
    }

    /** A heading, and under it the drain table's head (a drain follows). */
    void section(String title) {
        line("\n## " + title + "\n\n| variant | records | seconds | records/s | CPU s per 100k | broker CPU s per 100k | peak RSS MB |"
                + "\n|---|---:|---:|---:|---:|---:|---:|");
    }

    void line(String text) {
        markdown.append(text).append('\n');
        System.out.println(text);
    }

    /** The latency at {@code percentile} (100: the largest), in milliseconds to a tenth; NaN of none. */
    private static double ms(Histogram latencies, double percentile) {
        if (latencies.getTotalCount() == 0) {
            return Double.NaN;
        }
        long nanos = percentile >= 100 ? latencies.getMaxValue() : latencies.getValueAtPercentile(percentile);
        return round(nanos / 1e6, 1);
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
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
}
