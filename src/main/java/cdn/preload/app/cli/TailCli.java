package cdn.preload.app.cli;

import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.config.Settings;
import cdn.preload.domain.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Follows the output topics and prints one JSON document a line. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follows the output topics (committed records only) and prints one JSON document a line:"
                + " snapshots, error events and job states as published; dead letters as"
                + " {\"Topic\",\"Partition\",\"Offset\",\"Key\",\"Value\",\"Headers\"} with the failure headers decoded"
                + " (a key or value that is not UTF-8 text is given in base64, as KeyBase64/ValueBase64);"
                + " a deleted job's tombstone on the state topic in the same form, with \"Value\":null.",
            "Without --snapshots, --errors, --dlq or --state, follows the first three."})
final class TailCli extends KafkaCommand {
    @Option(names = "--snapshots", description = "Follow the snapshots topic.")
    private boolean snapshots;

    @Option(names = "--errors", description = "Follow the errors topic.")
    private boolean errors;

    @Option(names = "--dlq", description = "Follow the dead letter queue.")
    private boolean dlq;

    /**
     * Not followed by default: the state topic changes with every applied progress report, the
     * busiest input, and would drown the answers.
     */
    @Option(names = "--state", description = {"Follow the state topic: each job as the processor holds it, with its"
            + " Generation, after every change.", "With --from-beginning, every job's last state (the topic is compacted)."})
    private boolean state;

    @Option(names = "--from-beginning", description = "Start from the oldest records instead of from now.")
    private boolean fromBeginning;

    @Option(names = "--limit", paramLabel = "N", description = "Stop after N records. Default: follow until Ctrl-C.")
    private Long limit;

    @Override
    public Integer call() {
        Settings settings = settings();
        PrintWriter out = out();
        List<String> topics = new ArrayList<>();
        boolean all = !snapshots && !errors && !dlq && !state;
        if (all || snapshots) {
            topics.add(settings.topics().snapshots());
        }
        if (all || errors) {
            topics.add(settings.topics().errors());
        }
        if (all || dlq) {
            topics.add(settings.topics().deadLetters());
        }
        if (state) {
            topics.add(settings.topics().state());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.consumer(settings)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                for (PartitionInfo partition : KafkaClients.partitions(consumer, topic, settings)) {
                    partitions.add(new TopicPartition(topic, partition.partition()));
                }
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.endOffsets(partitions).forEach(consumer::seek);
            }
            long printed = 0;
            while (limit == null || printed < limit) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    // A tombstone has no document: the whole record, its key, says which job was deleted.
                    out.println(record.topic().equals(settings.topics().deadLetters()) || record.value() == null
                            ? whole(record) : text(record.value()));
                    out.flush();
                    if (limit != null && ++printed >= limit) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    /** The record as {"Topic","Partition","Offset","Key","Value","Headers"}: for dead letters and tombstones. */
    static String whole(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line = Json.MAPPER.createObjectNode()
                .put("Topic", record.topic()).put("Partition", record.partition()).put("Offset", record.offset());
        putBytes(line, "Key", record.key());
        putBytes(line, "Value", record.value());
        ObjectNode headers = line.putObject("Headers");
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : text(header.value()));
        }
        return line.toString();
    }

    private static void putBytes(ObjectNode line, String name, byte[] bytes) {
        if (bytes == null) {
            line.putNull(name);
            return;
        }
        try {
            line.put(name, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException notText) {
            line.put(name + "Base64", Base64.getEncoder().encodeToString(bytes));
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }
}
