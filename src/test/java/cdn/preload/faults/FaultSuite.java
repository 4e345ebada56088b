package cdn.preload.faults;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.faults.FaultRun.Verdict;
import cdn.preload.testing.TestBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the classes of the fault suite ({@link FaultSuiteIT}, {@link HostileInputIT}) share: the
 * seed, a broker of each class's own (so that one class may stop and kill it), and one
 * {@link ReliabilityReport} for the whole test JVM. Each class writes the report when it ends, with
 * every row recorded so far, its own in its section: after both, the table has every row, in the
 * same order whichever class ran first.
 */
final class FaultSuite implements AutoCloseable {
    static final Duration WAIT = FaultRun.WAIT;
    static final long SEED = Long.getLong("faults.seed", 20261129L);
    private static ReliabilityReport report;

    /** Commands start an hour before the class starts, 10 ms apart: the rate limit bites on hot jobs, predictably. */
    final long t0 = Instant.now().minus(Duration.ofHours(1)).toEpochMilli();
    final Path dir;
    final LocalKafka broker;
    private final String brokerLog;
    private final int section;

    /**
     * A broker of its own, in a new directory; its log is kept as {@code brokerLog} in
     * {@link FaultRun#LOGS}, and the rows it records go to {@code section} of the report (the
     * sections in their numbers' order).
     */
    FaultSuite(String brokerLog, int section) {
        try {
            dir = Files.createTempDirectory("preload-faults");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.brokerLog = brokerLog;
        this.section = section;
        broker = TestBroker.startOwn(dir.resolve("broker"));
        report();
    }

    private static synchronized ReliabilityReport report() {
        if (report == null) {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("seed", Long.toString(SEED));
            facts.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + ", one local KRaft broker (Kafka 4.4.0)");
            facts.put("processor", "java -Xmx512m -jar target/preload-job-processor.jar, default settings"
                    + " (exactly_once_v2) unless the row says otherwise");
            report = new ReliabilityReport(facts);
        }
        return report;
    }

    /**
     * The scenario's row in the report: {@code outcomes} (commands and their outcomes), {@code store}
     * (the jobs, their generations and last states), {@code progress} (progress reports, and the job
     * states checked).
     */
    void record(String scenario, String faults, Verdict outcomes, Verdict store, Verdict progress, String recovery) {
        report().add(section, new ReliabilityReport.Row(scenario, faults, outcomes.commands(), progress.commands(),
                outcomes.checked(), progress.checked(), outcomes.missing() + progress.missing(),
                outcomes.duplicated() + progress.duplicated(),
                outcomes.wrong() + store.wrong() + store.missing() + progress.wrong(), store.checked(), recovery));
    }

    static void assertClean(Verdict outcomes, Verdict store, Verdict progress) {
        assertThat(outcomes.examples()).as("outcomes against the model").isEmpty();
        assertThat(outcomes.clean()).isTrue();
        assertThat(store.examples()).as("the store against the model").isEmpty();
        assertThat(store.clean()).isTrue();
        assertThat(progress.examples()).as("progress reports and job states against the model").isEmpty();
        assertThat(progress.clean()).isTrue();
    }

    /** Writes the report, stops the broker and keeps its log. */
    @Override
    public void close() {
        report().write();
        broker.stop();
        try {
            Files.createDirectories(FaultRun.LOGS);
            Files.copy(broker.log(), FaultRun.LOGS.resolve(brokerLog), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the broker's log is a help, not a result
        }
        TestBroker.delete(dir);
    }
}
