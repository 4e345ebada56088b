package cdn.preload.streams;

import cdn.preload.domain.InvalidProgressException;
import cdn.preload.domain.Progress;
import cdn.preload.domain.ProgressParser;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The checks of a progress report that need no state (step 1): a JSON object of the
 * {@code Progress} types, with a well-formed Id, a Generation of at least 0 and both counters;
 * otherwise a dead letter saying why. A report goes on keyed by its Id, with its origin and headers
 * (for a dead letter on the job's partition), marked for re-routing when it is not keyed by its Id on
 * the partition where its job is kept: then with as much of its record as fits in the repartition
 * topic ({@link DeadLetter#carried}).
 */
final class ProgressChecker extends ContextualProcessor<byte[], byte[], byte[], Checked> {
    private final TopicLayout layout;
    private final ResetObserver observer;

    ProgressChecker(TopicLayout layout, ResetObserver observer) {
        this.layout = layout;
        this.observer = observer;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context().recordMetadata().orElseThrow();
        Progress report;
        try {
            report = ProgressParser.parse(record.value());
        } catch (InvalidProgressException e) {
            context().forward(DeadLetter.of(record, source, InvalidProgressException.class.getName(), e.getMessage(),
                    layout.maxDeadLetterBytes()));
            observer.deadLettered("progress", e.getMessage());
            observer.progress(ResetObserver.ProgressOutcome.DEAD_LETTERED);
            return;
        }
        byte[] key = TopicLayout.isKeyOf(record.key(), report.id()) ? record.key() : TopicLayout.keyOf(report.id());
        boolean elsewhere = key != record.key() || !layout.isHome(key, source.partition());
        Origin origin = new Origin(source.topic(), source.partition(), source.offset(), record.key(), record.value());
        Headers headers = record.headers();
        if (elsewhere) {
            origin = DeadLetter.carried(origin, headers, ReroutedSerde.PROGRESS_BYTES, layout.maxReroutedBytes());
            headers = origin.cut() == null ? headers : new RecordHeaders();
        }
        context().forward(record.withKey(key).withValue(new Checked.Progress(report, origin, elsewhere)).withHeaders(headers));
    }
}
