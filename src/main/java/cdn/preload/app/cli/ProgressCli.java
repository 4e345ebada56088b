package cdn.preload.app.cli;

import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.config.Settings;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.Progress;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Publishes a progress report as a prefetch worker does: keyed by the job's Id, placed by murmur2. */
@Command(name = "progress", mixinStandardHelpOptions = true,
        description = {"Publishes a job's progress report, as a prefetch worker does, keyed by the job's Id (placed by"
                + " murmur2, as the Java client does), and prints where it landed and the report sent.",
            "The processor applies it only if G is the job's current generation (counters never go down within one);"
                + " follow the job's state with tail --state.",
            "Invalid input is reported (exit 1) and nothing is sent."})
final class ProgressCli extends KafkaCommand {
    @Option(names = "--id", required = true, paramLabel = "ID", description = "The job's Id (24 lower-case hex digits).")
    private String id;

    @Option(names = "--generation", required = true, paramLabel = "G",
            description = "The generation the worker works in: the header preload.generation of the reset's snapshot"
                    + " (reset prints it), or the Generation of the job's state; 0 before any reset.")
    private long generation;

    // The counters are read as longs so that one beyond int32 is refused with the range it must be in.
    @Option(names = "--url-submitted", required = true, paramLabel = "N",
            description = "URLs submitted so far in this generation (0 to 2147483647).")
    private long urlSubmitted;

    @Option(names = "--task-submitted", required = true, paramLabel = "N",
            description = "URLs submitted for prefetching so far in this generation (0 to 2147483647).")
    private long taskSubmitted;

    @Override
    public Integer call() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            problems.forEach(problem -> err().println("Error: " + problem));
            return 1;
        }
        byte[] report = Json.write(new Progress(id, generation, (int) urlSubmitted, (int) taskSubmitted));
        Settings settings = settings();
        RecordMetadata landed;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
            landed = ResetCli.send(producer, new ProducerRecord<>(settings.topics().progress(),
                    id.getBytes(StandardCharsets.UTF_8), report));
        }
        out().println("Published to " + landed.topic() + ", partition " + landed.partition() + ", offset " + landed.offset()
                + ": " + new String(report, StandardCharsets.UTF_8));
        return 0;
    }

    /** What the processor would refuse (the contract's step 1), in the options' terms; each at once. */
    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!JobId.isValid(id)) {
            problems.add("'" + id + "' is not a job Id (24 lower-case hexadecimal digits).");
        }
        if (generation < 0) {
            problems.add("--generation must be at least 0, got " + generation + ".");
        }
        checkCounter("--url-submitted", urlSubmitted, problems);
        checkCounter("--task-submitted", taskSubmitted, problems);
        return problems;
    }

    private static void checkCounter(String option, long value, List<String> problems) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            problems.add(option + " must be an integer from 0 to " + Integer.MAX_VALUE + " (int32), got " + value + ".");
        }
    }
}
