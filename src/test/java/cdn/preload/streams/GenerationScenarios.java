package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.exampleJobWith;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.Examples.expectedState;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.InvalidProgressException;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.DeadLetter;
import cdn.preload.streams.ProcessorHarness.Position;
import cdn.preload.streams.ProcessorHarness.State;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The contract's scenarios of generations, one per behaviour: a reset sticks, and the counters of
 * progress reports and job records count only in the generation they were computed in; those that
 * break the contract are dead letters that say why. They run against the TopologyTestDriver
 * ({@link GenerationTopologyTest}, {@link ReroutedGenerationTopologyTest}) and against a real broker
 * ({@code GenerationScenariosIT}).
 */
abstract class GenerationScenarios extends ScenarioTest {

    // --- generations: a reset sticks ---

    @Test
    void aJobRepublishedWithTheCountersItLastKnewCannotUndoAReset() {
        Job atSixty = exampleJobWith("example", 60, 60);
        h.putJob(atSixty);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        h.states(2);

        // The control plane mirrors its database: the job again, with the counters it last knew.
        h.awaitProcessed(h.putJob(EXAMPLE_ID, atSixty, t0.plusSeconds(1)));

        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(new StoredJob(atSixty.restarted(), new long[] {t0.toEpochMilli()}, 1));
        assertThat(h.noMoreStates()).as("a record that changes nothing publishes nothing").isTrue();
        // Its other fields still apply; its counters, of generation 0, still do not.
        h.putJob(EXAMPLE_ID, exampleJobWith("renamed", 60, 60), t0.plusSeconds(2));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("renamed", 0, 0), 1));
    }

    @Test
    void aProgressReportComputedBeforeAResetIsFencedAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.report(EXAMPLE_ID, 0, 40, 30, t0.minusMillis(500));
        assertThat(h.states(2)).extracting(State::json)
                .containsExactly(expectedState(EXAMPLE_JOB, 0), expectedState(exampleJobWith("example", 40, 30), 0));
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 0, 0), 1));

        // The worker has not seen the reset yet: it reports what it did in generation 0.
        h.report(EXAMPLE_ID, 0, 60, 60, t0.plusSeconds(1));
        h.report(EXAMPLE_ID, 1, 3, 2, t0.plusSeconds(2));

        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 3, 2), 1));
        assertThat(h.storedJob(EXAMPLE_ID))
                .isEqualTo(new StoredJob(exampleJobWith("example", 3, 2), new long[] {t0.toEpochMilli()}, 1));
    }

    @Test
    void progressOfTheCurrentGenerationRaisesEachCounterAndNeverLowersIt() {
        h.putJob(exampleJobWith("example", 0, 0));
        h.states(1);

        h.report(EXAMPLE_ID, 0, 10, 4, t0);
        h.report(EXAMPLE_ID, 0, 7, 9, t0.plusSeconds(1)); // reordered: UrlSubmitted lower, TaskSubmitted higher
        h.report(EXAMPLE_ID, 0, 7, 9, t0.plusSeconds(2)); // duplicated: nothing goes up
        h.report(EXAMPLE_ID, 0, 12, 9, t0.plusSeconds(3));

        assertThat(h.states(3)).extracting(State::json).containsExactly(expectedState(exampleJobWith("example", 10, 4), 0),
                expectedState(exampleJobWith("example", 10, 9), 0), expectedState(exampleJobWith("example", 12, 9), 0));
        assertThat(h.noMoreStates()).isTrue();
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(new StoredJob(exampleJobWith("example", 12, 9), new long[0], 0));
    }

    @Test
    void aProgressReportForNoSuchJobIsFencedAndStoresNothing() {
        h.awaitProcessed(h.report(OTHER_ID, 0, 5, 5, t0));

        assertThat(h.storedJob(OTHER_ID)).isNull();
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aProgressReportOfAGenerationAheadOfTheJobsIsADeadLetterAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        byte[] value = ProcessorHarness.progress(EXAMPLE_ID, 1, 9, 9);

        Position position = h.reportRaw(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader("7"), t0);

        DeadLetter dead = h.deadLetters(1).get(0);
        assertDeadLetter(dead, bytes(EXAMPLE_ID), value, InvalidProgressException.class.getName(),
                "The progress report's Generation is 1, ahead of the job's generation 0: no writer can know a generation"
                        + " that does not exist yet.", position);
        assertThat(dead.header("preload.generation")).as("the report's own headers").isEqualTo("7");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aProgressReportThatBreaksTheContractIsADeadLetterSayingWhy() {
        h.putJob(EXAMPLE_JOB);
        String id = "\"Id\":\"" + EXAMPLE_ID + "\"";
        Map<String, String> problems = new LinkedHashMap<>();
        problems.put("[1,2]", "The progress report must be a JSON object, not an array.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":1}", "Field \"TaskSubmitted\" is missing.");
        problems.put("{" + id + ",\"Generation\":-1,\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Generation\" must be an integer from 0 to 9223372036854775807, not -1.");
        problems.put("{" + id + ",\"Generation\":\"1\",\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Generation\" must be an integer from 0 to 9223372036854775807, not a string.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":2147483648,\"TaskSubmitted\":1}",
                "Field \"UrlSubmitted\" must be an integer from 0 to 2147483647 (int32), not 2147483648.");
        problems.put("{" + id + ",\"Generation\":0,\"UrlSubmitted\":1.5,\"TaskSubmitted\":1}",
                "Field \"UrlSubmitted\" must be an integer from 0 to 2147483647 (int32), not 1.5.");
        problems.put("{\"Id\":\"665D3AF3621BCCF3FE29E1A4\",\"Generation\":0,\"UrlSubmitted\":1,\"TaskSubmitted\":1}",
                "Field \"Id\" must be 24 lower-case hexadecimal digits.");
        problems.put("{" + id + ",", "The progress report is not valid JSON: Unexpected end-of-input within/between Object"
                + " entries (at byte 33).");
        List<Position> positions = new ArrayList<>();
        for (String value : problems.keySet()) {
            positions.add(h.reportRaw(bytes("worker-7"), bytes(value), new RecordHeaders(), t0));
        }

        List<DeadLetter> dead = h.deadLetters(problems.size());
        int i = 0;
        for (Map.Entry<String, String> problem : problems.entrySet()) {
            assertDeadLetter(dead.get(i), bytes("worker-7"), bytes(problem.getKey()),
                    InvalidProgressException.class.getName(), problem.getValue(), positions.get(i));
            i++;
        }
        h.report(EXAMPLE_ID, 0, 5, 5, t0.plusSeconds(1));
        assertThat(h.states(2).get(1).json()).isEqualTo(expectedState(exampleJobWith("example", 5, 5), 0));
    }

    @Test
    void aProgressReportKeyedBySomethingElseOrUnkeyedIsApplied() {
        h.putJob(EXAMPLE_JOB);

        // Re-routed from two partitions, the two may reach the job's in either order: each raises its own counter.
        h.reportRaw(null, ProcessorHarness.progress(EXAMPLE_ID, 0, 3, 0), new RecordHeaders(), t0);
        h.reportRaw(bytes("worker-7"), ProcessorHarness.progress(EXAMPLE_ID, 0, 0, 2), new RecordHeaders(), t0.plusSeconds(1));

        List<State> states = h.states(3);
        assertThat(states).extracting(State::key).containsOnly(EXAMPLE_ID);
        assertThat(states.get(2).json()).isEqualTo(expectedState(exampleJobWith("example", 3, 2), 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(exampleJobWith("example", 3, 2)));
    }

    /**
     * A report off its job's partition travels there through the repartition topic with the record it
     * came in, for the dead letter it may become; that topic takes what the broker takes by default,
     * less than the record plus the report. Until this was fixed, such a record stopped the processor
     * (RecordTooLargeException on the repartition topic), on every restart.
     */
    @Test
    void aProgressReportAsLargeAsTheTopicTakesOffItsPartitionIsDeadLetteredCutToFitAndTheProcessorGoesOn() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        String report = new String(ProcessorHarness.progress(EXAMPLE_ID, 1, 9, 9), StandardCharsets.UTF_8);
        // As large as a producer with the default max.request.size sends: 1 MiB in all.
        byte[] large = bytes(report.replace("}", ",\"Padding\":\"" + "p".repeat(1_048_470 - report.length() - 13) + "\"}"));
        byte[] small = ProcessorHarness.progress(EXAMPLE_ID, 2, 9, 9);
        org.apache.kafka.common.header.Headers largeHeader = new RecordHeaders().add("trace", new byte[1_048_380]);

        Position first = h.reportRaw(bytes("worker-7"), large, new RecordHeaders(), t0);
        Position second = h.reportRaw(bytes("worker-7"), small, largeHeader, t0.plusSeconds(1));

        List<DeadLetter> dead = h.deadLetters(2);
        assertDeadLetter(dead.get(0), bytes("worker-7"), java.util.Arrays.copyOf(large, dead.get(0).value().length),
                InvalidProgressException.class.getName(), "The progress report's Generation is 1, ahead of the job's"
                        + " generation 0: no writer can know a generation that does not exist yet.", first);
        assertThat(dead.get(0).value().length).isLessThan(large.length);
        assertThat(dead.get(0).header("preload.dlq.cut"))
                .isEqualTo("value cut from " + large.length + " to " + dead.get(0).value().length + " bytes, to re-route it.");
        assertDeadLetter(dead.get(1), bytes("worker-7"), small, InvalidProgressException.class.getName(),
                "The progress report's Generation is 2, ahead of the job's generation 0: no writer can know a generation"
                        + " that does not exist yet.", second);
        assertThat(dead.get(1).header("trace")).as("dropped").isNull();
        assertThat(dead.get(1).header("preload.dlq.cut")).isEqualTo("1 header(s) of 1048395 bytes dropped, to re-route it.");
        h.report(EXAMPLE_ID, 0, 5, 5, t0.plusSeconds(2));
        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(exampleJobWith("example", 5, 5), 0));
    }

    @Test
    void aJobRecordOfTheCurrentGenerationMergesItsCountersAsProgressDoes() {
        h.putJob(exampleJobWith("example", 20, 20));
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();
        h.states(2);

        h.putJob(exampleJobWith("example", 5, 0), 1, t0.plusSeconds(1));
        h.putJob(exampleJobWith("renamed", 3, 8), 1, t0.plusSeconds(2));

        assertThat(h.states(2)).extracting(State::json).containsExactly(expectedState(exampleJobWith("example", 5, 0), 1),
                expectedState(exampleJobWith("renamed", 5, 8), 1));
    }

    @Test
    void aJobRecordWhoseHeaderIsAheadOfTheJobIsADeadLetterAndChangesNothing() {
        h.putJob(EXAMPLE_JOB);
        h.states(1);
        Job renamed = exampleJobWith("renamed", 9, 9);

        Position position = h.putJob(renamed, 2, t0);

        DeadLetter dead = h.deadLetters(1).get(0);
        assertDeadLetter(dead, bytes(EXAMPLE_ID), Json.write(renamed), InvalidJobException.class.getName(),
                "The job record's header preload.generation is 2, ahead of the job's generation 0: no writer can know a"
                        + " generation that does not exist yet.", position);
        assertThat(dead.header("preload.generation")).isEqualTo("2");
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
        assertThat(h.noMoreStates()).isTrue();
    }

    @Test
    void aJobRecordOrTombstoneWhoseGenerationHeaderIsNotDecimalDigitsIsADeadLetterWhetherOrNotTheJobIsStored() {
        byte[] value = Json.write(EXAMPLE_JOB);
        List<Position> positions = new ArrayList<>();
        List<String> headers = List.of("one", "", "-1", "99999999999999999999", "1 ");
        for (String header : headers) {
            positions.add(h.putRawJob(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader(header), t0.minusSeconds(2)));
        }
        h.putJob(EXAMPLE_JOB);
        positions.add(h.putRawJob(bytes(EXAMPLE_ID), value, ProcessorHarness.generationHeader("x"), t0));
        Position tombstone = h.putRawJob(bytes(EXAMPLE_ID), null, ProcessorHarness.generationHeader("x"), t0);
        Position twoGenerations = h.putRawJob(bytes(EXAMPLE_ID), value,
                ProcessorHarness.generationHeader("0").add("preload.generation", bytes("3")), t0);

        List<DeadLetter> dead = h.deadLetters(positions.size() + 2);
        for (int i = 0; i < positions.size(); i++) {
            assertDeadLetter(dead.get(i), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                    "The job record's header preload.generation must be the generation its counters were computed in, in"
                            + " ASCII decimal digits (at most 9223372036854775807).", positions.get(i));
        }
        assertDeadLetter(dead.get(positions.size()), bytes(EXAMPLE_ID), null, InvalidJobException.class.getName(),
                "The job record's header preload.generation must be the generation its counters were computed in, in"
                        + " ASCII decimal digits (at most 9223372036854775807).", tombstone);
        assertDeadLetter(dead.get(positions.size() + 1), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "The job record's headers preload.generation name two generations, 0 and 3; it must name one.", twoGenerations);
        assertThat(h.storedJob(EXAMPLE_ID)).as("not deleted by the tombstone").isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void aJobNotStoredIsStoredAsItIsAtGenerationZeroWhateverItsHeader() {
        h.putJob(EXAMPLE_JOB, 5, t0.minusSeconds(1));

        assertThat(h.states(1).get(0).json()).isEqualTo(expectedState(EXAMPLE_JOB, 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void deletingAJobPublishesATombstoneAndAJobStoredAgainUnderItsIdStartsAtGenerationZero() {
        h.putJob(EXAMPLE_JOB);
        h.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);
        h.answer();
        h.deleteJob(EXAMPLE_ID, t0.plusSeconds(1));
        h.deleteJob(EXAMPLE_ID, t0.plusSeconds(2)); // nothing left to delete: nothing published

        h.putJob(EXAMPLE_ID, EXAMPLE_JOB, t0.plusSeconds(3));

        List<State> states = h.states(4);
        assertThat(states).extracting(State::key).containsOnly(EXAMPLE_ID);
        assertThat(states).extracting(State::json).containsExactly(expectedState(EXAMPLE_JOB, 0),
                expectedState(EXAMPLE_JOB.restarted(), 1), null, expectedState(EXAMPLE_JOB, 0));
        assertThat(h.storedJob(EXAMPLE_ID)).isEqualTo(StoredJob.of(EXAMPLE_JOB));
    }

    @Test
    void eachAcceptedResetRaisesTheGenerationOnceAndARefusedOneNever() {
        h.putJob(EXAMPLE_JOB);
        for (int i = 0; i < 6; i++) {
            h.reset("r-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(i));
        }
        h.reset("denied", EXAMPLE_ID, "intruder", t0.plusSeconds(7));

        assertThat(h.snapshots(5)).extracting(Answer::generation).containsExactly("1", "2", "3", "4", "5");
        assertThat(h.errors(2)).extracting(Answer::generation).containsOnlyNulls();
        assertThat(h.states(6)).extracting(State::generation).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(h.storedJob(EXAMPLE_ID).generation()).isEqualTo(5);
    }
}
