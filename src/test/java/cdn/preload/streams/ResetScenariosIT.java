package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.exampleJobWith;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.DeadLetter;
import cdn.preload.streams.ProcessorHarness.Position;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.TestBroker;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The reset's scenarios ({@link ResetScenarios}) against a real broker, through the processor exactly
 * as main runs it; {@link GenerationScenariosIT} and {@link InputScenariosIT} run the others there.
 */
class ResetScenariosIT extends ResetScenarios {

    @Override
    protected ProcessorHarness start() {
        return new BrokerFixture(TestBroker.shared().bootstrapServers());
    }

    /**
     * A job record whose counters need its job's partition (a generation header) travels there with
     * its headers, for the dead letter it may become; a header that expands to 8 MiB, in a batch
     * compressed to fit the topic, would make that re-routed record too large for any producer.
     * Until this was fixed, such a record stopped the processor, on every restart. Only a broker has
     * partitions to place the record off its job's.
     */
    @Test
    void aJobRecordOffItsPartitionWithAHeaderOf8MiBIsDeadLetteredCutToFit() throws Exception {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        Job renamed = exampleJobWith("renamed", 9, 9);
        int partitions = Partitioners.partitionsOf(TopicDefinitions.JOBS);
        int elsewhere = (Partitioners.murmur2(bytes(EXAMPLE_ID), partitions) + 1) % partitions;
        Headers headers = ProcessorHarness.generationHeader("1").add("trace", new byte[8 << 20]);
        RecordMetadata written;
        try (KafkaProducer<byte[], byte[]> compressing = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.shared().bootstrapServers(),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            written = compressing.send(new ProducerRecord<>(h.topics().jobs(), elsewhere, t0.toEpochMilli(), bytes(EXAMPLE_ID),
                    Json.write(renamed), headers)).get();
        }

        DeadLetter dead = h.deadLetters(1).get(0);
        assertDeadLetter(dead, bytes(EXAMPLE_ID), Json.write(renamed), cdn.preload.streams.InvalidJobException.class.getName(),
                "The job record's header preload.generation is 1, ahead of the job's generation 0: no writer can know a"
                        + " generation that does not exist yet.", new Position(written.topic(), written.partition(), written.offset()));
        assertThat(dead.header("preload.dlq.cut")).isEqualTo("2 header(s) of " + (8388608 + 15 + 29) + " bytes dropped, to re-route it.");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }
}
