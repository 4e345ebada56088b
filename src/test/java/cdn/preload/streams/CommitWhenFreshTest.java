package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * COMMIT_WHEN_FRESH: a command answered within that time of its record time asks Kafka Streams for a
 * commit at once, so that its caller sees the answer without waiting for the commit interval; an
 * older one (a backlog's) leaves the commit to the interval. The driver commits after every
 * record, so this is the processor on its own, in Kafka Streams' mock context.
 */
class CommitWhenFreshTest {
    private static final byte[] KEY = EXAMPLE_ID.getBytes(StandardCharsets.US_ASCII);

    @Test
    void aFreshCommandAsksForACommitAndABacklogsDoesNot() {
        MockProcessorContext<byte[], Outcome> context = started();
        ResetProcessor processor = processor(context, Duration.ofSeconds(10));

        processor.process(command("r-old", System.currentTimeMillis() - 60_000));
        assertThat(context.committed()).as("a command a minute old").isFalse();

        processor.process(command("r-fresh", System.currentTimeMillis()));
        assertThat(context.committed()).as("a command of now").isTrue();
        assertThat(context.forwarded()).hasSize(2);
    }

    @Test
    void offItNeverAsks() {
        MockProcessorContext<byte[], Outcome> context = started();
        ResetProcessor processor = processor(context, Duration.ZERO);

        processor.process(command("r-fresh", System.currentTimeMillis()));

        assertThat(context.committed()).isFalse();
        assertThat(context.forwarded()).hasSize(1);
    }

    private static MockProcessorContext<byte[], Outcome> started() {
        MockProcessorContext<byte[], Outcome> context = new MockProcessorContext<>();
        KeyValueStore<String, StoredJob> jobs = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ResetTopology.JOB_STORE),
                Serdes.String(), StoredJobFormat.serde()).withLoggingDisabled().build();
        KeyValueStore<Bytes, byte[]> answers = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ResetTopology.ANSWER_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        jobs.init(context.getStateStoreContext(), jobs);
        answers.init(context.getStateStoreContext(), answers);
        context.addStateStore(jobs);
        context.addStateStore(answers);
        jobs.put(EXAMPLE_ID, StoredJob.of(Examples.EXAMPLE_JOB));
        return context;
    }

    private static ResetProcessor processor(MockProcessorContext<byte[], Outcome> context, Duration fresh) {
        ResetProcessor processor = new ResetProcessor(RateLimit.DEFAULT, Duration.ofHours(24), ResetObserver.NONE, fresh);
        processor.init(context);
        return processor;
    }

    private static Record<byte[], Checked> command(String requestId, long timestamp) {
        return new Record<>(KEY, new Checked.Command(new ResetCommand(requestId, EXAMPLE_ID, EXAMPLE_UID), false), timestamp);
    }
}
