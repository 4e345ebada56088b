package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.Position;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract's scenarios of what comes in, one per behaviour: commands routed to their job whatever
 * their key, answered in order, given a RequestId when they have none; and bad commands and jobs,
 * answered and dead-lettered while processing goes on. They run against the TopologyTestDriver
 * ({@link InputTopologyTest}, {@link ReroutedInputTopologyTest}) and against a real broker
 * ({@code InputScenariosIT}).
 */
abstract class InputScenarios extends ScenarioTest {

    // --- routing and order ---

    @Test
    void unkeyedCommandIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        h.putJob(EXAMPLE_JOB);

        h.send(null, command("r-1", EXAMPLE_ID, EXAMPLE_UID), t0);

        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
    }

    @Test
    void commandKeyedBySomethingElseIsRoutedToItsJobAndAnsweredKeyedByItsId() {
        h.putJob(EXAMPLE_JOB);

        h.send(new byte[] {(byte) 0xFF, 0, 1}, command("r-1", EXAMPLE_ID, EXAMPLE_UID), t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-1"));
        h.send(bytes(EXAMPLE_ID.toUpperCase(Locale.ROOT)), command("r-2", EXAMPLE_ID, EXAMPLE_UID), t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-2"));
    }

    @Test
    void outcomesOfOneJobFollowTheOrderOfItsCommands() {
        h.putJob(EXAMPLE_JOB);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String requestId = "r-" + i;
            sent.add(requestId);
            h.reset(requestId, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(15L * i));
        }

        assertThat(h.snapshots(20)).extracting(answer -> answer.json().get("RequestId").asText())
                .containsExactlyElementsOf(sent);
    }

    @Test
    void commandWithoutRequestIdGetsOneDerivedFromItsPositionOnTheCommandsTopic() {
        h.putJob(EXAMPLE_JOB);

        Position position = h.send(null, "{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"" + EXAMPLE_UID + "\"}", t0);

        assertSnapshot(h.answer(), expectedSnapshot(assignedRequestId(position)));
    }

    /** The RequestId the contract assigns to a command without one: derived from where it sits on the commands topic. */
    protected static String assignedRequestId(Position position) {
        String where = position.topic() + "/" + position.partition() + "/" + position.offset();
        return UUID.nameUUIDFromBytes(where.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
    }

    // --- bad input ---

    @Test
    void unparseableCommandAnswers400AndGoesToTheDeadLetterQueueAndProcessingGoesOn() {
        h.putJob(EXAMPLE_JOB);
        byte[] key = {1, 2, 3};
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":");

        Position position = h.send(key, value, t0);

        String problem = "The command is not valid JSON: Unexpected end-of-input within/between Object entries (at byte 24).";
        Answer answer = h.answer();
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(new String(key, StandardCharsets.UTF_8));
        assertThat(answer.json()).isEqualTo(json("""
                {"RequestId":"r-1","Id":null,"HttpStatusCode":400,"Code":"InvalidParameter","Message":"%s",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """.formatted(problem)));
        assertDeadLetter(h.deadLetters(1).get(0), key, value, "cdn.preload.domain.UnparseableCommandException", problem,
                position);

        h.reset("r-2", EXAMPLE_ID, EXAMPLE_UID, t0);
        assertSnapshot(h.answer(), expectedSnapshot("r-2"));
    }

    @Test
    void commandWithAFieldOfTheWrongTypeEchoesItsRequestIdAndId() {
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":42}");

        Position position = h.send(bytes(EXAMPLE_ID), value, t0);

        assertError(h.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":400,"Code":"InvalidParameter",
                 "Message":"Field \\"AliUid\\" must be a string, not a number.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """));
        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, "cdn.preload.domain.UnparseableCommandException",
                "Field \"AliUid\" must be a string, not a number.", position);
    }

    @Test
    void unparseableCommandWhoseIdIsValidIsAnsweredKeyedByThatId() {
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":42}");

        h.send(bytes("some-other-key"), value, t0);

        assertError(h.answer(), EXAMPLE_ID, json("""
                {"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","HttpStatusCode":400,"Code":"InvalidParameter",
                 "Message":"Field \\"AliUid\\" must be a string, not a number.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """));
        assertThat(h.deadLetters(1).get(0).key()).isEqualTo(bytes("some-other-key"));
    }

    @Test
    void commandWithoutValueAnswers400WithAnAssignedRequestIdAndGoesToTheDeadLetterQueue() {
        Position position = h.send(bytes("k"), (byte[]) null, t0);

        assertError(h.answer(), "k", ProcessorHarness.json("""
                {"RequestId":"%s","Id":null,"HttpStatusCode":400,"Code":"InvalidParameter","Message":"The command has no value.",
                 "Description":"The command could not be parsed. It must be a JSON object whose RequestId, Id and AliUid are strings."}
                """.formatted(assignedRequestId(position))));
        assertDeadLetter(h.deadLetters(1).get(0), bytes("k"), null, "cdn.preload.domain.UnparseableCommandException",
                "The command has no value.", position);
    }

    @Test
    void unparseableJobGoesToTheDeadLetterQueueAndIsNotStored() {
        byte[] value = bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"UrlCount\":\"many\"}");

        Position position = h.putRawJob(bytes(EXAMPLE_ID), value, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "Not a valid Job: Cannot coerce String value (\"many\") to `java.lang.Integer` value"
                        + " (but might if coercion using `CoercionConfig` was enabled)", position);
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWhoseIdDiffersFromItsKeyGoesToTheDeadLetterQueue() {
        Position position = h.putJob(OTHER_ID, EXAMPLE_JOB, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(OTHER_ID), Json.write(EXAMPLE_JOB), InvalidJobException.class.getName(),
                "The job's Id 665d3af3621bccf3fe29e1a4 does not match the record key.", position);
        assertThat(h.storedJob(OTHER_ID)).isNull();
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWithAMalformedIdGoesToTheDeadLetterQueue() {
        Job malformed = new Job("NOT-AN-ID", null, null, EXAMPLE_UID, null, null, null, null, null, null, null, null, null, null);

        Position position = h.putJob("NOT-AN-ID", malformed, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes("NOT-AN-ID"), Json.write(malformed),
                InvalidJobException.class.getName(), "The job's Id must be 24 lower-case hexadecimal digits.", position);
        assertThat(h.storedJob("NOT-AN-ID")).isNull();
    }

    @Test
    void jobLargerThan256KiBGoesToTheDeadLetterQueueAndIsNotStored() {
        Job huge = new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, "d".repeat(TopicLayout.MAX_JOB_BYTES), null, null,
                null, null, null, null, null, null, null);
        byte[] value = Json.write(huge);

        Position position = h.putRawJob(bytes(EXAMPLE_ID), value, t0.minusSeconds(1));

        assertDeadLetter(h.deadLetters(1).get(0), bytes(EXAMPLE_ID), value, InvalidJobException.class.getName(),
                "The job is " + value.length + " bytes long; at most 262144 are accepted.", position);
        assertThat(h.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void jobWithUnknownFieldsIsStoredWithoutThem() {
        h.putRawJob(bytes(EXAMPLE_ID), bytes("{\"Id\":\"" + EXAMPLE_ID + "\",\"AliUid\":\"u\",\"Future\":{\"x\":1}}"),
                t0.minusSeconds(1));

        h.reset("r-1", EXAMPLE_ID, "u", t0);

        Answer answer = h.answer();
        assertThat(fieldNames(answer.json())).doesNotContain("Future").hasSize(15);
        assertThat(h.storedJob(EXAMPLE_ID).job())
                .isEqualTo(new Job(EXAMPLE_ID, null, null, "u", null, null, null, null, null, 0, 0, null, null, null));
    }
}
