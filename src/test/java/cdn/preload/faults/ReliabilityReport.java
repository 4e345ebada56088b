package cdn.preload.faults;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fault suite's results: one row per scenario, in sections (one for each class of the suite, in
 * their numbers' order), written as a Markdown table and as JSON under {@code target/reliability/}. With {@code -Dfaults.report=docs/RELIABILITY.md} the table in that
 * file (between its markers) is replaced too, so the published figures are the suite's own.
 */
final class ReliabilityReport {
    static final String START = "<!-- fault-suite-table:start -->";
    static final String END = "<!-- fault-suite-table:end -->";

    /** One scenario's figures. */
    record Row(String scenario, String faults, int inputs, int progressReports, int outcomesChecked, int statesChecked,
               int missing, int duplicated, int wrong, int jobsChecked, String recovery) {
    }

    private final Map<Integer, List<Row>> sections = new TreeMap<>();
    private final Map<String, String> run;

    ReliabilityReport(Map<String, String> run) {
        this.run = run;
    }

    synchronized void add(int section, Row row) {
        sections.computeIfAbsent(section, s -> new ArrayList<>()).add(row);
    }

    private List<Row> rows() {
        return sections.values().stream().flatMap(List::stream).toList();
    }

    synchronized String table() {
        StringBuilder text = new StringBuilder();
        text.append("| scenario | faults injected | input records | progress reports | outcomes checked | job states checked"
                + " | missing | duplicated | wrong | jobs checked | recovery |\n");
        text.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows()) {
            text.append("| ").append(row.scenario()).append(" | ").append(row.faults()).append(" | ")
                    .append(row.inputs()).append(" | ").append(row.progressReports()).append(" | ")
                    .append(row.outcomesChecked()).append(" | ").append(row.statesChecked()).append(" | ")
                    .append(row.missing()).append(" | ").append(row.duplicated()).append(" | ")
                    .append(row.wrong()).append(" | ").append(row.jobsChecked()).append(" | ")
                    .append(row.recovery()).append(" |\n");
        }
        text.append('\n');
        run.forEach((key, value) -> text.append("- ").append(key).append(": ").append(value).append('\n'));
        return text.toString();
    }

    synchronized void write() {
        try {
            Path out = Path.of("target", "reliability");
            Files.createDirectories(out);
            Files.writeString(out.resolve("table.md"), table(), StandardCharsets.UTF_8);
            Files.write(out.resolve("results.json"), Workload.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(Map.of("run", run, "scenarios", rows())));
            String target = System.getProperty("faults.report");
            if (target != null && !target.isBlank()) {
                replaceTable(Path.of(target));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void replaceTable(Path document) throws IOException {
        String text = Files.readString(document, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException(document + " has no " + START + " ... " + END + " markers");
        }
        Files.writeString(document, text.substring(0, start + START.length()) + "\n" + table() + text.substring(end),
                StandardCharsets.UTF_8);
    }
}
