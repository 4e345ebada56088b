package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.UnparseableCommandException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The checks that need no state, on the command as it arrives, and the answers they give at once:
 * it parses (step 1: otherwise an error event and a dead letter), it has a RequestId (assigned when
 * absent), and its Id is well formed (step 2: otherwise an error event). A valid command goes on
 * keyed by its Id, marked for re-routing when it is not on the partition where its job is kept.
 *
 * <p>An error event here is keyed by the command's Id when it is a valid one (a command that does not
 * parse may still name one), else by the command record's own key; a key too large for the errors
 * topic together with the event is cut to what fits.
 */
final class CommandChecker extends InputChecker {

    CommandChecker(TopicLayout layout, ResetObserver observer, EarlyCommits earlyCommits) {
        super(layout, observer, earlyCommits);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long start = System.nanoTime();
        ResetCommand command;
        try {
            command = CommandParser.parse(record.value());
        } catch (UnparseableCommandException e) {
            String requestId = e.requestId() != null ? e.requestId() : assignedRequestId();
            byte[] key = JobId.isValid(e.id()) ? TopicLayout.keyOf(e.id()) : record.key();
            refuse(record, key, ErrorCode.INVALID_PARAMETER, ErrorEvent.unparseable(requestId, e.id(), e.getMessage()), start);
            context().forward(DeadLetter.of(record, source(), UnparseableCommandException.class.getName(), e.getMessage(),
                    layout.maxDeadLetterBytes()));
            observer.deadLettered("commands", e.getMessage());
            return;
        }
        if (command.requestId() == null) {
            command = command.withRequestId(assignedRequestId());
        }
        String id = command.id();
        if (!JobId.isValid(id)) {
            ErrorCode error = ErrorCode.INVALID_PARAMETER_OBJECT_ID;
            refuse(record, record.key(), error, ErrorEvent.of(error, command.requestId(), id), start);
            return;
        }
        byte[] key = TopicLayout.isKeyOf(record.key(), id) ? record.key() : TopicLayout.keyOf(id);
        boolean elsewhere = key != record.key() || !layout.isHome(key, source().partition());
        // The command's headers stay here: neither the re-routed command nor its answer carries them.
        context().forward(new Record<>(key, new Checked.Command(command, elsewhere), record.timestamp(), new RecordHeaders()));
        if (elsewhere) {
            earlyCommit.forwarded(record.timestamp());
        }
    }

    private void refuse(Record<byte[], byte[]> record, byte[] key, ErrorCode code, ErrorEvent error, long start) {
        byte[] document = Json.write(error);
        long room = layout.maxErrorBytes() - TopicLayout.recordBytes(null, document, 0);
        if (key != null && key.length > room) {
            key = Arrays.copyOf(key, (int) Math.max(0, room));
        }
        context().forward(new Record<>(key, new Checked.Refused(document), record.timestamp(), new RecordHeaders()));
        observer.answered(error.requestId(), error.id(), code, false, System.nanoTime() - start);
        earlyCommit.forwarded(record.timestamp());
    }

    private RecordMetadata source() {
        return context().recordMetadata().orElseThrow();
    }

    /** Stable across reprocessing: derived from where the command sits on the commands topic. */
    private String assignedRequestId() {
        RecordMetadata source = source();
        String position = source.topic() + '/' + source.partition() + '/' + source.offset();
        return UUID.nameUUIDFromBytes(position.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
    }
}
