package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.exampleJobWith;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /jobs/{Id}} shows only committed state: a reset is visible to a query no sooner than its
 * answer is to a {@code read_committed} consumer, so no query shows a change that a crash would
 * roll back. Commits every 3 s here, without early commits, so that the time between processing a
 * reset and committing it is long enough to be seen.
 */
class CommittedReadsIT {
    @Test
    void aQueryShowsAResetOnlyOnceItsAnswerIsCommitted() {
        try (BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers(),
                Map.of("KAFKA_COMMIT_INTERVAL_MS", "3000", "COMMIT_WHEN_FRESH", "off"));
             KafkaConsumer<byte[], byte[]> committed = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestBroker.shared().bootstrapServers(),
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            fixture.putJob(EXAMPLE_ID, exampleJobWith("busy", 60, 60), fixture.t0());
            fixture.await(() -> submitted(fixture) == 60, "the job stored");
            List<TopicPartition> snapshots = committed.partitionsFor(fixture.topics().snapshots()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();

            fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0().plusSeconds(1));

            Wait.atMost(Duration.ofSeconds(30), Duration.ofMillis(5)).alias("the reset to show in a query")
                    .until(() -> submitted(fixture) == 0);
            // read_committed, the end offsets are the last stable ones: past the answer once it is committed
            long committedEnd = committed.endOffsets(snapshots).values().stream().mapToLong(Long::longValue).sum();
            assertThat(committedEnd).as("the snapshots topic's committed end when the query first showed the reset")
                    .isPositive();
            assertThat(fixture.answer().json().get("TaskSubmitted").asInt()).isZero();
        }
    }

    private static int submitted(BrokerFixture fixture) {
        HttpApiIT.Reply reply = HttpApiIT.getJob(fixture, EXAMPLE_ID, EXAMPLE_UID);
        return reply.status() == 200 ? reply.json().get("TaskSubmitted").asInt() : -1;
    }
}
