package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.testing.TestBroker;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A failure of the machinery is not bad input: the real processor, under exactly-once, on stores
 * whose writes fail on demand ({@link FailingStores}, through {@code dsl.store.suppliers.class}).
 * It stops at the record it cannot process, dead-letters nothing, and, restarted once the failure
 * is gone, stores or answers that record exactly once.
 */
class StoreFailureIT {
    private final BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers(),
            // Static membership, as the README advises: the restarted processor takes its partitions
            // back at once, instead of after the session timeout of the one that stopped.
            Map.of("KAFKA_DSL_STORE_SUPPLIERS_CLASS", FailingStores.class.getName(), "KAFKA_GROUP_INSTANCE_ID", "store-failure"));

    @AfterEach
    void close() {
        FailingStores.failing = null;
        fixture.close();
    }

    @Test
    void aStoreThatCannotBeWrittenStopsTheProcessorAndARestartStoresAndAnswersEachRecordOnce() {
        publishWhileFailingThenRestart(ResetTopology.JOB_STORE, () -> fixture.putJob(EXAMPLE_JOB));
        fixture.await(() -> StoredJob.of(EXAMPLE_JOB).equals(fixture.storedJob(EXAMPLE_ID)), "the job to be stored");

        publishWhileFailingThenRestart(ResetTopology.ANSWER_STORE,
                () -> fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0()));

        Answer answer = fixture.answer();
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.json()).isEqualTo(expectedSnapshot("r-1"));
        assertThat(fixture.storedJob(EXAMPLE_ID).recentResets()).containsExactly(fixture.t0().toEpochMilli());
        // Whatever comes next comes after anything the failed attempts could have left: only its own answer and letter.
        fixture.reset("r-2", EXAMPLE_ID, "intruder", fixture.t0().plusSeconds(1));
        assertThat(fixture.answer().json()).isEqualTo(expectedError("r-2", EXAMPLE_ID, ErrorCode.INVALID_UID_PERMISSION_DENIED));
        fixture.send(bytes("marker"), "{oops", fixture.t0().plusSeconds(2));
        assertThat(fixture.answer().key()).isEqualTo("marker");
        assertThat(fixture.deadLetters(1)).singleElement().satisfies(dead -> assertThat(dead.key()).isEqualTo(bytes("marker")));
    }

    /**
     * Publishes {@code input} while {@code store} cannot be written, waits for the processor to stop on
     * it, and restarts the processor once the store can be written again.
     */
    private void publishWhileFailingThenRestart(String store, Runnable input) {
        FailingStores.failing = store;
        input.run();
        fixture.await(() -> fixture.streams().state() == KafkaStreams.State.ERROR, "the processor to stop on the failure");
        FailingStores.failing = null;
        fixture.stopStreams(false);
        fixture.startStreams();
    }
}
