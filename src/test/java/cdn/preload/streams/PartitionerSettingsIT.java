package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.TestBroker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The producer settings that choose partitions ({@code partitioner.class}, {@code partitioner.ignore.keys},
 * plain or {@code producer.}-prefixed) change nothing the processor writes: re-routed jobs and
 * commands reach the task that holds their job, and every keyed answer, job state and dead letter is
 * on the partition where murmur2 puts its key, as callers look for it.
 */
class PartitionerSettingsIT {
    private static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);
    private static final int JOBS = 12;

    static Stream<Arguments> partitionerSettings() {
        return Stream.of(
                Arguments.of(Map.of("KAFKA_PARTITIONER_CLASS", RoundRobinPartitioner.class.getName())),
                Arguments.of(Map.of("KAFKA_PRODUCER_PARTITIONER_CLASS", RoundRobinPartitioner.class.getName())),
                Arguments.of(Map.of("KAFKA_PARTITIONER_IGNORE_KEYS", "true")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("partitionerSettings")
    void everyRecordTheProcessorWritesIsWhereMurmur2PutsItsKey(Map<String, String> settings) {
        try (BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers(), settings)) {
            Random random = new Random(settings.hashCode());
            Instant t0 = fixture.t0();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String id = AnyProducerIT.idPlacedApart(random);
                ids.add(id);
                // placed by CRC32, as librdkafka would: each job and command is re-routed
                fixture.publishAt(fixture.topics().jobs(), Partitioners.crc32(bytes(id), PARTITIONS), bytes(id),
                        Json.write(AnyProducerIT.withId(id)), t0);
            }
            for (String id : ids) {
                fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == 200, "GET /jobs/" + id + " to find it");
            }
            for (String id : ids) {
                fixture.publishAt(fixture.topics().commands(), Partitioners.crc32(bytes(id), PARTITIONS), bytes(id),
                        bytes(command("r-" + id, id, EXAMPLE_UID)), t0.plusSeconds(1));
                Answer answer = fixture.answer();
                assertThat(answer.json()).isEqualTo(
                        AnyProducerIT.document(new Snapshot("r-" + id, AnyProducerIT.withId(id).restarted())));
            }
            String unknown = AnyProducerIT.idPlacedApart(random);
            fixture.publishAt(fixture.topics().commands(), Partitioners.crc32(bytes(unknown), PARTITIONS), bytes(unknown),
                    bytes(command("r-unknown", unknown, EXAMPLE_UID)), t0.plusSeconds(2));
            assertThat(fixture.answer().json()).isEqualTo(expectedError("r-unknown", unknown, ErrorCode.INVALID_JOB_NOT_FOUND));

            Map<String, Integer> counts = placedOutputs(fixture);
            assertThat(counts).containsEntry(fixture.topics().snapshots(), JOBS)
                    .containsEntry(fixture.topics().state(), JOBS * 2)
                    .containsEntry(fixture.topics().errors(), 1);
        }
    }

    /**
     * Reads every committed record of the output topics, asserts that each keyed one is on its key's
     * murmur2 partition, and counts them by topic.
     */
    private static Map<String, Integer> placedOutputs(BrokerFixture fixture) {
        List<String> topics = List.of(fixture.topics().snapshots(), fixture.topics().state(), fixture.topics().errors(),
                fixture.topics().deadLetters());
        Map<String, Integer> counts = new java.util.HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.shared().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            fixture.await(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() != null) {
                        int where = Partitioners.murmur2(record.key(), consumer.partitionsFor(record.topic()).size());
                        assertThat(record.partition()).as("the partition of %s's record keyed %s", record.topic(),
                                new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(where);
                    }
                    counts.merge(record.topic(), 1, Integer::sum);
                }
                return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            }, "the outputs read to their end");
        }
        return counts;
    }
}
