package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A processor that is restarted, with its local state or without it, carries on as if it never stopped. */
class RestartIT extends RealProcessorTest {

    @ParameterizedTest(name = "local state wiped: {0}")
    @ValueSource(booleans = {false, true})
    void aRestartedProcessorKeepsItsJobsAndTheirGenerationsAndAnswersReplaysTheSame(boolean wipeState) {
        Instant t0 = fixture.t0();
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        Answer accepted = fixture.answer();
        fixture.reset("r-2", EXAMPLE_ID, "intruder", t0.plusSeconds(1));
        Answer refused = fixture.answer();
        for (int i = 3; i <= 6; i++) {
            fixture.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(i));
        }
        List<Answer> more = fixture.snapshots(4);
        StoredJob before = fixture.storedJob(EXAMPLE_ID);

        fixture.stopStreams(wipeState);
        fixture.startStreams();

        assertThat(fixture.storedJob(EXAMPLE_ID)).isEqualTo(before);
        assertThat(before.generation()).as("five accepted resets").isEqualTo(5);
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(10));
        assertThat(fixture.answer()).isEqualTo(accepted);
        fixture.reset("r-2", EXAMPLE_ID, "intruder", t0.plusSeconds(11));
        assertThat(fixture.answer()).isEqualTo(refused);
        // the five accepted resets are still within the window
        fixture.reset("r-7", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(12));
        assertThat(fixture.answer().json()).isEqualTo(expectedError("r-7", EXAMPLE_ID, ErrorCode.TOO_MANY_REQUESTS));
        fixture.reset("r-8", EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(70));
        Answer eighth = fixture.answer();
        assertThat(eighth.json()).isEqualTo(expectedSnapshot("r-8"));
        assertThat(eighth.generation()).as("the generation, restored with the job, goes on from 5").isEqualTo("6");
        assertThat(accepted.json()).isEqualTo(expectedSnapshot("r-1"));
        assertThat(more).hasSize(4);
    }
}
