package cdn.preload.app.cli;

import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.app.runtime.KafkaSetupException;
import cdn.preload.config.Settings;
import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.streams.TopicLayout;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publishes a reset command and waits for its answer. The answer is keyed by the Id, so only the
 * Id's partition of each outcome topic is read, from its end as it was before the command was
 * published: nothing earlier is read, and nothing that arrives meanwhile is missed.
 */
@Command(name = "reset", mixinStandardHelpOptions = true,
        description = {"Resets a job's progress (ResetScheduledPreloadJob) and prints the answer as the API gives it:",
            "the job's snapshot (exit 0) or the error event (exit 1, its HTTP status and code on stderr).",
            "After a snapshot, stderr has the generation the reset started, as the line preload.generation: G.",
            "A RequestId, Id or AliUid that the processor refuses as unparseable (longer than 256 characters, not"
                + " Unicode text) is refused at once (exit 1) and nothing is sent; no answer within the timeout, or a"
                + " Kafka failure, exits 3."})
final class ResetCli extends KafkaCommand {
    /** Pretty JSON as the API page prints it: two-space indent, {@code "Key": value}. */
    private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The job's Id (24 lower-case hex digits).")
    private String id;

    @Option(names = "--uid", required = true, paramLabel = "ALIUID", description = "The account making the request.")
    private String aliUid;

    @Option(names = "--request-id", paramLabel = "ID", description = "The request's ID. Default: a new random UUID.")
    private String requestId;

    @Option(names = "--timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long to wait for the answer (500ms, 30s, 2m...). Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = out();
        PrintWriter err = err();
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            problems.forEach(problem -> err.println("Error: " + problem));
            err.println("Nothing was sent.");
            return 1;
        }
        Settings settings = settings();
        String request = requestId != null ? requestId : UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings);
             KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
            List<TopicPartition> answers = new ArrayList<>();
            for (String topic : List.of(settings.topics().snapshots(), settings.topics().errors())) {
                int partitions = KafkaClients.partitions(consumer, topic, settings).size();
                answers.add(new TopicPartition(topic, TopicLayout.partitionOf(key, partitions)));
            }
            consumer.assign(answers);
            consumer.endOffsets(answers).forEach(consumer::seek);

            byte[] command = Json.write(new ResetCommand(request, id, aliUid));
            send(producer, new ProducerRecord<>(settings.topics().commands(), key, command));

            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode answer = answer(record);
                    if (answer == null) {
                        err.println("Skipped " + record.topic() + ", partition " + record.partition() + ", offset "
                                + record.offset() + ": not a JSON document, so no answer of the processor's.");
                    } else if (request.equals(answer.path("RequestId").asText(null))) {
                        out.println(PRETTY.writeValueAsString(answer));
                        if (record.topic().equals(settings.topics().snapshots())) {
                            // Beside the document, which stays the API's answer: what a worker reports progress with.
                            Header generation = record.headers().lastHeader(Topics.GENERATION_HEADER);
                            if (generation != null) {
                                err.println(Topics.GENERATION_HEADER + ": "
                                        + new String(generation.value(), StandardCharsets.US_ASCII));
                            }
                            return 0;
                        }
                        err.println(answer.path("HttpStatusCode").asInt() + " " + answer.path("Code").asText());
                        return 1;
                    }
                }
            }
            err.println("No answer to RequestId " + request + " within " + timeout.toMillis() / 1000.0
                    + " s. Is the processor running against " + KafkaClients.bootstrap(settings) + "?");
            return Cli.KAFKA_FAILED;
        }
    }

    /**
     * What the processor would refuse as unparseable (the contract's step 1), in the options' terms. It
     * would answer such a command under a RequestId of its own (for a refused RequestId), which this
     * command could never find.
     */
    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String[] option : new String[][] {{"--id", id}, {"--uid", aliUid}, {"--request-id", requestId}}) {
            String refused = option[1] == null ? null : CommandParser.refused(option[1]);
            if (refused != null) {
                problems.add(option[0] + " " + refused + ", which the processor refuses (400 InvalidParameter).");
            }
        }
        return problems;
    }

    /** The record's value as JSON; null when it is none (the processor writes only JSON answers). */
    private static JsonNode answer(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(record.value());
        } catch (IOException e) {
            return null;
        }
    }

    /** Publishes {@code record} and waits until the cluster has it; where it landed. */
    static RecordMetadata send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
        try {
            return producer.send(record).get(2L * KafkaClients.CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaSetupException("Cannot publish to " + record.topic() + ": " + e.getCause().getMessage(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaSetupException("Cannot publish to " + record.topic() + ": no answer from the cluster", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted", e);
        }
    }
}
