package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.UnparseableCommandException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The checks that need no state, on the command as it arrives: it parses (step 1), it has a
 * RequestId (assigned when absent), and its Id is well formed (step 2).
 */
final class CommandChecker implements FixedKeyProcessor<byte[], byte[], Checked> {
    private final ResetObserver observer;
    private FixedKeyProcessorContext<byte[], Checked> context;

    CommandChecker(ResetObserver observer) {
        this.observer = observer;
    }

    @Override
    public void init(FixedKeyProcessorContext<byte[], Checked> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<byte[], byte[]> record) {
        ResetCommand command;
        try {
            command = CommandParser.parse(record.value());
        } catch (UnparseableCommandException e) {
            context.forward(record.withValue(new Checked.Rejected(ErrorCode.INVALID_PARAMETER,
                    ErrorEvent.unparseable(e.requestId(), e.id(), e.getMessage()))));
            // The error event is on its way; rethrowing hands the raw record to Streams' dead letter
            // queue (processing exception handler), in the same transaction.
            observer.deadLettered("commands", e.getMessage());
            throw e;
        }
        if (command.requestId() == null) {
            command = command.withRequestId(assignedRequestId());
        }
        if (!JobId.isValid(command.id())) {
            ErrorCode error = ErrorCode.INVALID_PARAMETER_OBJECT_ID;
            context.forward(record.withValue(new Checked.Rejected(error,
                    ErrorEvent.of(error, command.requestId(), command.id()))));
            return;
        }
        context.forward(record.withValue(new Checked.Valid(command)));
    }

    /** Stable across reprocessing: derived from where the command sits on the commands topic. */
    private String assignedRequestId() {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        String position = source.topic() + '/' + source.partition() + '/' + source.offset();
        return UUID.nameUUIDFromBytes(position.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(Locale.ROOT);
    }
}
