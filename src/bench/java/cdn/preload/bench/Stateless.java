package cdn.preload.bench;

import cdn.preload.config.Settings;
import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.JobDocuments;
import cdn.preload.testing.Wait;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The floor of the processor's output contract, not a design: each command of {@code BENCH_IN} is
 * parsed and answered with its job's snapshot on {@code BENCH_OUT}, from the jobs of
 * {@code BENCH_JOBS} held in a map on the heap, read once at start (their progress already at
 * zero, as after a first reset). Nothing is stored, changelogged or remembered, so it cannot
 * survive a restart, refuse a reset or replay an answer; what it costs is what any processor that
 * reads these commands and writes these snapshots pays before it keeps any state. Same Streams
 * configuration as the processor, read from the environment. Runs until SIGTERM.
 */
public final class Stateless {
    private Stateless() {
    }

    public static void main(String[] args) throws InterruptedException {
        Properties kafka = Settings.fromEnvironment(System.getenv()).kafka();
        Map<String, StoredJob> jobs = readJobs(kafka.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG), System.getenv("BENCH_JOBS"));
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(System.getenv("BENCH_IN"), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("in"))
                .mapValues(command -> answer(jobs, command), Named.as("answer"))
                .to(System.getenv("BENCH_OUT"), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("out"));
        Passthrough.runUntilTerminated(builder.build(), kafka);
    }

    private static byte[] answer(Map<String, StoredJob> jobs, byte[] value) {
        ResetCommand command = CommandParser.parse(value);
        return JobDocuments.snapshot(jobs.get(command.id()), command.requestId());
    }

    /** Every job of the topic, read to its end (within 20 minutes). */
    private static Map<String, StoredJob> readJobs(String bootstrap, String topic) {
        Map<String, StoredJob> jobs = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            BooleanSupplier read = () -> partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p));
            if (!read.getAsBoolean()) {
                Wait.atMost(Duration.ofMinutes(20), Duration.ZERO).alias("the jobs of " + topic + " read to their end").until(() -> {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        jobs.put(record.key(), StoredJob.of(Json.read(record.value(), Job.class).restarted()));
                    }
                    return read.getAsBoolean();
                });
            }
        }
        return jobs;
    }
}
