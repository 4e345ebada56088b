package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.StreamsException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store that cannot be written is a failure of the machinery, not bad input: processing stops at
 * the record, which is neither dead-lettered nor answered (a real broker's restart then answers it:
 * {@code StoreFailureIT}).
 */
class StoreFailureTest {
    private final TopologyFixture fixture = new TopologyFixture(TopicLayout.TEST_DRIVER, new FailingStores());

    @AfterEach
    void close() {
        FailingStores.failing = null;
        fixture.close();
    }

    @Test
    void aJobThatCannotBeStoredStopsProcessingAndIsNotDeadLettered() {
        FailingStores.failing = ResetTopology.JOB_STORE;

        assertThatThrownBy(() -> fixture.putJob(EXAMPLE_JOB))
                .isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(ProcessorStateException.class)
                .hasRootCauseMessage("Injected: store jobs cannot be written (disk full)");
        assertThat(fixture.noOutput()).isTrue();
    }

    @Test
    void aCommandWhoseAnswerCannotBeRememberedStopsProcessingAndIsNeitherAnsweredNorDeadLettered() {
        assertStopsWhileTheStoreFails(ResetTopology.ANSWER_STORE,
                () -> fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0()));
    }

    @Test
    void aProgressReportThatCannotBeAppliedStopsProcessingAndIsNotDeadLettered() {
        assertStopsWhileTheStoreFails(ResetTopology.JOB_STORE, () -> fixture.report(EXAMPLE_ID, 0, 5, 5, fixture.t0()));
    }

    /**
     * Stores the example job (its state published), then asserts that {@code input}, while {@code store}
     * cannot be written, stops processing on the store's failure and writes nothing.
     */
    private void assertStopsWhileTheStoreFails(String store, ThrowingCallable input) {
        fixture.putJob(EXAMPLE_JOB);
        assertThat(fixture.allStates()).hasSize(1);
        FailingStores.failing = store;

        assertThatThrownBy(input)
                .isInstanceOf(StreamsException.class)
                .hasRootCauseInstanceOf(ProcessorStateException.class);
        assertThat(fixture.noOutput()).isTrue();
    }

    /**
     * A valid command on which our own code throws is not bad input either: it gets no error the
     * API does not have and no dead letter; processing stops at it, and a restart retries it.
     */
    @Test
    void aBugOnAValidCommandStopsProcessingWithoutAnAnswerOrADeadLetter() {
        ResetObserver buggy = new ResetObserver() {
            @Override
            public void answered(String requestId, String id, cdn.preload.domain.ErrorCode error, boolean replay, long nanos) {
                throw new IllegalStateException("a bug");
            }
        };
        try (TopologyFixture withBug = new TopologyFixture(buggy)) {
            withBug.putJob(EXAMPLE_JOB);
            assertThat(withBug.allStates()).hasSize(1);

            assertThatThrownBy(() -> withBug.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, withBug.t0()))
                    .isInstanceOf(StreamsException.class)
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            assertThat(withBug.noOutput()).isTrue();
        }
    }
}
