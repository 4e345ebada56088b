package cdn.preload.streams;

import static cdn.preload.streams.AnyProducerIT.document;
import static cdn.preload.streams.AnyProducerIT.idPlacedApart;
import static cdn.preload.streams.AnyProducerIT.withId;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedState;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cdn.preload.app.cli.Cli;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.State;
import cdn.preload.testing.ChildProcess;
import cdn.preload.testing.ChildProcess.Result;
import cdn.preload.testing.Partitioners;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * End to end with producers this project did not write: kcat and Python's confluent-kafka, both on
 * librdkafka, whose default partitioner is CRC32 ({@code consistent_random}). Each test is skipped,
 * saying what is missing, on a machine without the tool ({@code apt-get install -y kcat
 * python3-confluent-kafka}; {@code .ci/run} installs both).
 */
class LibrdkafkaIT extends RealProcessorTest {
    /** The partitions of the jobs topic, and of the commands and progress topics (the same number). */
    private static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);
    private static final String PYTHON_PRODUCE = String.join("\n",
            "import sys",
            "from confluent_kafka import Producer",
            "producer = Producer({'bootstrap.servers': sys.argv[1]})",
            "timestamp = int(sys.argv[5]) if len(sys.argv) > 5 else 0",
            "producer.produce(sys.argv[2], key=sys.argv[3].encode(), value=sys.argv[4].encode(), timestamp=timestamp)",
            "if producer.flush(30) != 0:",
            "    sys.exit('not delivered')");

    @Test
    void jobsAndResetsPublishedWithKcatAreAnsweredWhateverPartitionerEachUsed() {
        assumeTrue(run(List.of("kcat", "-V"), "").exitCode() == 0,
                "kcat is not installed (apt-get install -y kcat): this test publishes with it");
        Random random = new Random(7);
        List<String> ids = List.of(idPlacedApart(random), idPlacedApart(random), idPlacedApart(random));
        StringBuilder jobLines = new StringBuilder();
        for (String id : ids) {
            jobLines.append(id).append('|').append(new String(Json.write(withId(id)), StandardCharsets.UTF_8)).append('\n');
        }

        Result published = kcat(fixture.topics().jobs(), jobLines.toString());

        assertThat(published.exitCode()).as(published.output()).isZero();
        assertThat(recordsPerPartition(fixture.topics().jobs())).as("kcat placed each job by CRC32")
                .isEqualTo(expectedPerPartition(ids, true));
        for (String id : ids) {
            fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == 200, "GET /jobs/" + id);
        }

        // The first reset with kcat's default partitioner, the second as the README advises (no detour),
        // the third with the Java client.
        assertThat(kcat(fixture.topics().commands(), ids.get(0) + "|" + command("r-kcat", ids.get(0), EXAMPLE_UID) + "\n")
                .exitCode()).isZero();
        assertThat(kcat(fixture.topics().commands(), ids.get(1) + "|" + command("r-murmur2", ids.get(1), EXAMPLE_UID) + "\n",
                "-X", "partitioner=murmur2_random").exitCode()).isZero();
        fixture.reset("r-java", ids.get(2), EXAMPLE_UID, fixture.t0());

        List<Answer> snapshots = fixture.snapshots(3);
        Map<String, Answer> byRequestId = new HashMap<>();
        snapshots.forEach(answer -> byRequestId.put(answer.json().get("RequestId").asText(), answer));
        List<String> requestIds = List.of("r-kcat", "r-murmur2", "r-java");
        for (int i = 0; i < ids.size(); i++) {
            Answer answer = byRequestId.get(requestIds.get(i));
            assertThat(answer.key()).isEqualTo(ids.get(i));
            assertThat(answer.json()).isEqualTo(document(new Snapshot(requestIds.get(i), withId(ids.get(i)).restarted())));
        }
        Map<Integer, Long> placed = expectedPerPartition(List.of(ids.get(0)), true);
        expectedPerPartition(List.of(ids.get(1), ids.get(2)), false).forEach((partition, count) ->
                placed.merge(partition, count, Long::sum));
        assertThat(recordsPerPartition(fixture.topics().commands()))
                .as("the first reset placed by CRC32, the second (murmur2_random) and the third by murmur2").isEqualTo(placed);

        Result read = run(List.of("kcat", "-C", "-b", bootstrap(), "-t", fixture.topics().snapshots(),
                "-X", "isolation.level=read_committed", "-o", "beginning", "-c", "3", "-e", "-q", "-f", "%k\\n"), "");
        assertThat(read.output().lines().sorted().toList()).isEqualTo(ids.stream().sorted().toList());
    }

    @Test
    void aFrontEndWrittenInPythonGetsTheRightAnswers() {
        String python = python();
        String id = idPlacedApart(new Random(11));

        Result job = run(List.of(python, "-c", PYTHON_PRODUCE, bootstrap(), fixture.topics().jobs(), id,
                new String(Json.write(withId(id)), StandardCharsets.UTF_8)), "");
        assertThat(job.exitCode()).as(job.output()).isZero();
        fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == 200, "GET /jobs/" + id);
        Result reset = run(List.of(python, "-c", PYTHON_PRODUCE, bootstrap(), fixture.topics().commands(), id,
                command("r-py", id, EXAMPLE_UID)), "");
        assertThat(reset.exitCode()).as(reset.output()).isZero();

        Answer answer = fixture.answer();
        assertThat(answer.key()).isEqualTo(id);
        assertThat(answer.json()).isEqualTo(document(new Snapshot("r-py", withId(id).restarted())));
        assertThat(recordsPerPartition(fixture.topics().jobs())).as("placed by CRC32")
                .isEqualTo(expectedPerPartition(List.of(id), true));
    }

    /**
     * librdkafka lets a producer send -1, Kafka's "no timestamp", which the broker accepts and Kafka
     * Streams' default timestamp extractor refuses by stopping: such a command is answered.
     */
    @Test
    void aCommandWithoutATimestampIsAnsweredAndTheProcessorGoesOn() {
        String python = python();
        String id = idPlacedApart(new Random(13));
        fixture.publishAt(fixture.topics().jobs(), null, bytes(id), Json.write(withId(id)), fixture.t0().minusSeconds(1));
        fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == 200, "GET /jobs/" + id);

        Result reset = run(List.of(python, "-c", PYTHON_PRODUCE, bootstrap(), fixture.topics().commands(), id,
                command("r-untimed", id, EXAMPLE_UID), "-1"), "");
        assertThat(reset.exitCode()).as(reset.output()).isZero();

        assertThat(fixture.answer().json()).isEqualTo(document(new Snapshot("r-untimed", withId(id).restarted())));
        fixture.reset("r-next", id, "intruder", fixture.t0());
        assertThat(fixture.answer().json().get("RequestId").asText()).isEqualTo("r-next");
    }

    /**
     * A prefetch worker on librdkafka: kcat places its report by CRC32, off the job's partition; the
     * report is re-routed there and applied, and the job's state shows its counters.
     */
    @Test
    void progressPublishedWithKcatIsReroutedToItsJobAndApplied() {
        assumeTrue(run(List.of("kcat", "-V"), "").exitCode() == 0,
                "kcat is not installed (apt-get install -y kcat): this test publishes with it");
        String id = idPlacedApart(new Random(17));
        fixture.publishAt(fixture.topics().jobs(), null, bytes(id), Json.write(withId(id)), fixture.t0().minusSeconds(1));
        fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == 200, "GET /jobs/" + id);
        fixture.reset("r-1", id, EXAMPLE_UID, fixture.t0());
        Answer reset = fixture.answer();
        assertThat(reset.json()).isEqualTo(document(new Snapshot("r-1", withId(id).restarted())));
        assertThat(reset.generation()).isEqualTo("1");

        Result published = kcat(fixture.topics().progress(), id + "|" + new String(ProcessorHarness.progress(id, 1, 5, 3),
                StandardCharsets.UTF_8) + "\n");

        assertThat(published.exitCode()).as(published.output()).isZero();
        assertThat(recordsPerPartition(fixture.topics().progress())).as("kcat placed the report by CRC32")
                .isEqualTo(expectedPerPartition(List.of(id), true));
        List<JsonNode> states = fixture.states(3).stream().map(State::json).toList();
        assertThat(states).containsExactly(expectedState(withId(id), 0), expectedState(withId(id).restarted(), 1),
                expectedState(withId(id).withCounters(5, 3), 1));
        assertThat(fixture.noMoreStates()).isTrue();
        StringWriter tail = new StringWriter();
        int exitCode = Cli.execute(new String[] {"tail", "--state", "--from-beginning", "--limit", "3"}, fixture.env,
                new PrintWriter(tail), new PrintWriter(new StringWriter()));
        assertThat(exitCode).isZero();
        assertThat(tail.toString().lines().map(ProcessorHarness::json).toList()).as("tail --state").isEqualTo(states);
    }

    private Result kcat(String topic, String lines, String... options) {
        List<String> command = new ArrayList<>(List.of("kcat", "-P", "-b", bootstrap(), "-t", topic, "-K", "|"));
        command.addAll(List.of(options));
        return run(command, lines);
    }

    private String bootstrap() {
        return fixture.env.get("KAFKA_BOOTSTRAP_SERVERS");
    }

    /**
     * The first Python on this machine that has confluent-kafka (Debian's package installs it for
     * /usr/bin/python3); the test is skipped, saying so, without one.
     */
    private static String python() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (run(List.of(candidate, "-c", "import confluent_kafka"), "").exitCode() == 0) {
                return candidate;
            }
        }
        assumeTrue(false, "Python with confluent-kafka is not installed (apt-get install -y python3-confluent-kafka):"
                + " this test publishes with it");
        return null;
    }

    private static Map<Integer, Long> expectedPerPartition(List<String> ids, boolean crc32) {
        Map<Integer, Long> counts = new HashMap<>();
        for (String id : ids) {
            byte[] key = bytes(id);
            counts.merge(crc32 ? Partitioners.crc32(key, PARTITIONS) : Partitioners.murmur2(key, PARTITIONS), 1L, Long::sum);
        }
        return counts;
    }

    /** How many records each partition of {@code topic} holds (the partitions that hold any). */
    private Map<Integer, Long> recordsPerPartition(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            Map<Integer, Long> counts = new HashMap<>();
            consumer.endOffsets(partitions).forEach((partition, end) -> {
                if (end > 0) {
                    counts.put(partition.partition(), end);
                }
            });
            return counts;
        }
    }

    /**
     * Runs {@code command} with {@code input} on its standard input, for at most a minute; a command
     * that cannot start exits 127.
     */
    private static Result run(List<String> command, String input) {
        return ChildProcess.command(command).input(input).run(Duration.ofSeconds(60));
    }
}
