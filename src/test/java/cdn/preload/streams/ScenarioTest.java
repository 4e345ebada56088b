package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.streams.ProcessorHarness.DeadLetter;
import cdn.preload.streams.ProcessorHarness.Position;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the contract's scenarios ({@link ResetScenarios}, {@link GenerationScenarios}, {@link InputScenarios})
 * share: a processor that a subclass starts afresh for each scenario, in a TopologyTestDriver or on a
 * real broker, and the assertions on whole answers and dead letters.
 */
abstract class ScenarioTest {
    /** The processor of the scenario running. */
    protected ProcessorHarness h;
    /** The record time the scenario starts from: the harness's. */
    protected Instant t0;

    /** A processor of the subclass's kind, started afresh for each scenario. */
    protected abstract ProcessorHarness start();

    @BeforeEach
    void startProcessor() {
        h = start();
        t0 = h.t0();
    }

    @AfterEach
    void stopProcessor() {
        h.close();
    }

    /** The document's field names, in their order. */
    protected static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Asserts that the answer is {@code expected}, a snapshot keyed by its job's Id. */
    protected static void assertSnapshot(Answer answer, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.key()).isEqualTo(expected.get("Id").asText());
        assertThat(answer.json()).isEqualTo(expected);
    }

    /** Asserts that the answer is {@code expected}, an error event keyed by {@code key}. */
    protected static void assertError(Answer answer, String key, JsonNode expected) {
        assertThat(answer.topic()).isEqualTo(Answer.ERROR);
        assertThat(answer.key()).isEqualTo(key);
        assertThat(answer.json()).isEqualTo(expected);
    }

    /**
     * Asserts that the dead letter holds {@code key} and {@code value} and Kafka Streams' headers naming
     * the exception, its message and the record's position {@code from}.
     */
    protected static void assertDeadLetter(DeadLetter dead, byte[] key, byte[] value, String exception, String message,
                                           Position from) {
        assertThat(dead.key()).isEqualTo(key);
        assertThat(dead.value()).isEqualTo(value);
        assertThat(dead.header("__streams.errors.exception")).isEqualTo(exception);
        assertThat(dead.header("__streams.errors.message")).isEqualTo(message);
        assertThat(dead.header("__streams.errors.topic")).isEqualTo(from.topic());
        assertThat(dead.header("__streams.errors.partition")).isEqualTo(Integer.toString(from.partition()));
        assertThat(dead.header("__streams.errors.offset")).isEqualTo(Long.toString(from.offset()));
    }
}
