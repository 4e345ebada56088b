package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.testing.Partitioners;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.junit.jupiter.api.Test;

/**
 * The reset's scenarios ({@link ResetScenarios}) once more, with every job and command of the examples
 * off the partition where its job is kept: the driver delivers each record on partition 0, and the
 * topics are laid out with a partition count for which murmur2 places neither example Id there.
 * Everything is re-routed first, and every answer is the same. {@link ReroutedGenerationTopologyTest}
 * and {@link ReroutedInputTopologyTest} run the other scenarios so.
 */
class ReroutedTopologyTest extends ResetScenarios {
    /** The smallest partition count for which neither example Id belongs on partition 0. */
    static final int PARTITIONS = IntStream.rangeClosed(2, 64)
            .filter(n -> !home(EXAMPLE_ID, n) && !home(OTHER_ID, n)).findFirst().orElseThrow();

    private TopologyFixture fixture;

    @Override
    protected ProcessorHarness start() {
        fixture = reroutedFixture();
        return fixture;
    }

    /** A driver whose topics have {@link #PARTITIONS} partitions: every record of the examples is re-routed. */
    static TopologyFixture reroutedFixture() {
        return new TopologyFixture(new TopicLayout(PARTITIONS, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE,
                TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES),
                new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers());
    }

    private static boolean home(String id, int partitions) {
        return Partitioners.murmur2(TopicLayout.keyOf(id), partitions) == 0;
    }

    @Test
    void aJobAndACommandKeyedByTheIdButOnAnotherPartitionEachTakeTheRepartitionTopic() {
        TestOutputTopic<byte[], byte[]> rerouted = fixture.driver.createOutputTopic(
                "preload-job-processor-commands-by-job-id-repartition", new ByteArrayDeserializer(), new ByteArrayDeserializer());

        fixture.putJob(EXAMPLE_JOB);
        assertThat(rerouted.readValuesToList()).singleElement()
                .satisfies(job -> assertThat((char) job[0]).as("a re-routed job's tag").isEqualTo('J'));
        fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, t0);

        assertThat(rerouted.readValuesToList()).singleElement()
                .satisfies(command -> assertThat(new String(command, StandardCharsets.UTF_8)).startsWith("{\"RequestId\":\"r-1\""));
        assertSnapshot(fixture.answer(), expectedSnapshot("r-1"));
    }
}
