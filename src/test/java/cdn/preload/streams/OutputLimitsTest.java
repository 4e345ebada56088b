package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.UnparseableCommandException;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.Position;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Answers and dead letters fit the topics they go to, whatever the input's size: with output
 * topics that take at most {@value #LIMIT} bytes a record, an error event's key and a dead letter
 * are cut to fit (the dead letter says what was cut), and a job too large for a snapshot is refused.
 */
class OutputLimitsTest {
    private static final int LIMIT = 20_000;
    private static final Instant T0 = TopologyFixture.T0;

    private final TopologyFixture fixture = new TopologyFixture(new TopicLayout(1, LIMIT, LIMIT, LIMIT, LIMIT, TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES),
            new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers());

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void anErrorEventWhoseKeyWouldNotFitKeepsWhatFitsOfTheKey() {
        byte[] key = filled(50_000, (byte) 'k');

        fixture.send(key, command("r-1", "not-an-id", EXAMPLE_UID), T0);

        TestRecord<byte[], byte[]> error = fixture.driver.createOutputTopic(fixture.topics().errors(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecord();
        assertThat(Answer.of(Answer.ERROR, error.key(), error.value()).json())
                .isEqualTo(expectedError("r-1", "not-an-id", ErrorCode.INVALID_PARAMETER_OBJECT_ID));
        assertThat(error.key()).isEqualTo(Arrays.copyOf(key, error.key().length));
        assertThat(TopicLayout.recordBytes(error.key(), error.value(), 0)).isBetween(LIMIT - 100L, (long) LIMIT);
        assertThat(fixture.noOutput()).isTrue();
    }

    @Test
    void aKeyThatFitsIsEchoedWhole() {
        byte[] key = filled(10_000, (byte) 'k');

        fixture.send(key, command("r-1", "not-an-id", EXAMPLE_UID), T0);

        assertThat(fixture.answer().key()).isEqualTo(new String(key));
    }

    @Test
    void aDeadLetterTooLargeDropsTheRecordsHeadersThenKeepsTheFirstBytesOfTheValueAndSaysWhatWasCut() {
        byte[] value = bytes("{\"RequestId\":\"r-1\",\"Id\":[" + " ".repeat(100_000));
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", filled(1_000, (byte) 't'));
        headers.add("tenant", bytes("acme"));

        Position position = fixture.send(new TestRecord<>(bytes("k"), value, headers, T0));

        assertThat(fixture.answer().json().get("RequestId").asText()).isEqualTo("r-1");
        ProcessorHarness.DeadLetter dead = fixture.deadLetters(1).get(0);
        assertThat(dead.key()).isEqualTo(bytes("k"));
        assertThat(dead.value()).isEqualTo(Arrays.copyOf(value, dead.value().length));
        assertThat(dead.value().length).isBetween(LIMIT - 1_000, LIMIT);
        assertThat(dead.headers()).containsOnlyKeys(DeadLetter.EXCEPTION, DeadLetter.MESSAGE, DeadLetter.TOPIC,
                DeadLetter.PARTITION, DeadLetter.OFFSET, DeadLetter.CUT);
        assertThat(dead.header(DeadLetter.EXCEPTION)).isEqualTo(UnparseableCommandException.class.getName());
        assertThat(dead.header(DeadLetter.TOPIC)).isEqualTo(position.topic());
        assertThat(dead.header(DeadLetter.PARTITION)).isEqualTo(Integer.toString(position.partition()));
        assertThat(dead.header(DeadLetter.OFFSET)).isEqualTo(Long.toString(position.offset()));
        assertThat(dead.header(DeadLetter.CUT)).isEqualTo("2 header(s) of 1035 bytes dropped; value cut from "
                + value.length + " to " + dead.value().length + " bytes.");
        assertThat(recordBytes(dead)).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void aKeyTooLargeForTheDeadLetterQueueIsCutToo() {
        byte[] key = filled(30_000, (byte) 'k');
        byte[] value = filled(30_000, (byte) '[');

        fixture.send(key, value, T0);

        fixture.answer();
        ProcessorHarness.DeadLetter dead = fixture.deadLetters(1).get(0);
        assertThat(dead.value()).isEmpty();
        assertThat(dead.key()).isEqualTo(Arrays.copyOf(key, dead.key().length));
        assertThat(dead.header(DeadLetter.CUT)).isEqualTo("value cut from 30000 to 0 bytes; key cut from 30000 to "
                + dead.key().length + " bytes.");
        assertThat(recordBytes(dead)).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void aDeadLetterThatFitsKeepsTheRecordsOwnHeadersAndIsNotMarkedCut() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", bytes("abc"));

        fixture.send(new TestRecord<>(bytes("k"), bytes("{oops"), headers, T0));

        fixture.answer();
        ProcessorHarness.DeadLetter dead = fixture.deadLetters(1).get(0);
        assertThat(dead.value()).isEqualTo(bytes("{oops"));
        assertThat(dead.headers()).containsEntry("trace", "abc").doesNotContainKey(DeadLetter.CUT);
    }

    @Test
    void aJobTooLargeForASnapshotIsADeadLetterAndOneThatFitsIsStoredAndAnswered() {
        int max = LIMIT - 4 * 1024;
        Job tooLarge = jobOfSize(max + 1);
        Job largest = jobOfSize(max);

        Position refused = fixture.putRawJob(bytes(EXAMPLE_ID), Json.write(tooLarge), T0.minusSeconds(2));
        ProcessorHarness.DeadLetter dead = fixture.deadLetters(1).get(0);
        assertThat(dead.header(DeadLetter.MESSAGE)).isEqualTo("The job is " + (max + 1) + " bytes long; at most " + max
                + " are accepted.");
        assertThat(dead.header(DeadLetter.OFFSET)).isEqualTo(Long.toString(refused.offset()));
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();

        fixture.putRawJob(bytes(EXAMPLE_ID), Json.write(largest), T0.minusSeconds(1));
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, T0);

        Answer snapshot = fixture.answer();
        assertThat(snapshot.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(TopicLayout.recordBytes(bytes(snapshot.key()), bytes(snapshot.document()), 0)).isLessThanOrEqualTo(LIMIT);
    }

    @Test
    void aJobThatGrowsBeyondTheLimitOnceWrittenBackIsADeadLetter() {
        // A character beyond the BMP is four bytes in its record and two escapes, twelve bytes, as stored.
        int max = LIMIT - 4 * 1024;
        Job emoji = new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, "\ud83d\ude00".repeat(max / 8), null, null, null, null,
                1, 1, null, null, null);
        byte[] value = bytes(new String(Json.write(emoji), StandardCharsets.UTF_8).replace("\\uD83D\\uDE00", "\ud83d\ude00"));
        assertThat(value.length).as("the record itself is within the limit").isLessThan(max);

        fixture.putRawJob(bytes(EXAMPLE_ID), value, T0.minusSeconds(1));

        assertThat(fixture.deadLetters(1).get(0).header(DeadLetter.MESSAGE)).isEqualTo("The job is " + Json.write(emoji).length
                + " bytes long as it is stored (its record: " + value.length + " bytes); at most " + max + " are accepted.");
        assertThat(fixture.storedJob(EXAMPLE_ID)).isNull();
    }

    @Test
    void anEmptyValueIsNotReportedAsCut() {
        fixture.send(filled(30_000, (byte) 'k'), new byte[0], T0);

        fixture.answer();
        assertThat(fixture.deadLetters(1).get(0).header(DeadLetter.CUT)).startsWith("key cut from 30000 to ");
    }

    /** The example's owner's job whose JSON is exactly {@code size} bytes long. */
    private static Job jobOfSize(int size) {
        Job empty = new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, "", null, null, null, null, 1, 1, null, null, null);
        int rest = size - Json.write(empty).length;
        return new Job(EXAMPLE_ID, null, null, EXAMPLE_UID, "d".repeat(rest), null, null, null, null, 1, 1, null, null, null);
    }

    private static long recordBytes(ProcessorHarness.DeadLetter dead) {
        long headers = 0;
        for (var header : dead.headers().entrySet()) {
            headers += TopicLayout.headerBytes(header.getKey(), bytes(header.getValue()));
        }
        return TopicLayout.recordBytes(dead.key(), dead.value(), headers);
    }

    private static byte[] filled(int length, byte b) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, b);
        return bytes;
    }
}
