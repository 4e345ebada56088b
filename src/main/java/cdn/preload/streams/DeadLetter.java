package cdn.preload.streams;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * A record of an input topic that breaks the contract, for the dead letter queue: its key and value
 * bytes as they came, its own headers, then the headers Kafka Streams' dead letter queue writes
 * (exception, message, source topic, partition and offset).
 *
 * <p>When that does not fit in the DLQ topic or the producer's request limit, a smaller one is
 * written, never none: the record's own headers are dropped first, then the value is cut (its first
 * bytes are kept), then the key. The header {@value #CUT} then says what was cut, with the original
 * sizes; the source's topic, partition and offset are always there. A record re-routed to its job's
 * partition before it was found bad may have been cut already, to fit the repartition topic
 * ({@link #carried}): the header says that too.
 */
record DeadLetter(byte[] value) implements Checked, Encoded {
    static final String EXCEPTION = "__streams.errors.exception";
    static final String MESSAGE = "__streams.errors.message";
    static final String TOPIC = "__streams.errors.topic";
    static final String PARTITION = "__streams.errors.partition";
    static final String OFFSET = "__streams.errors.offset";
    static final String CUT = "preload.dlq.cut";
    /** Room kept for the {@value #CUT} header: three short sentences with sizes. */
    private static final int CUT_ROOM = 256;

    @Override
    public byte[] bytes() {
        return value;
    }

    /**
     * The dead letter of {@code input}, which came from {@code source}, refused for {@code problem};
     * {@code exception} names the kind of problem, as Kafka Streams' header does; the whole takes at
     * most {@code maxBytes}.
     */
    static Record<byte[], DeadLetter> of(Record<byte[], byte[]> input, RecordMetadata source, String exception,
                                         String problem, int maxBytes) {
        return of(new Origin(source.topic(), source.partition(), source.offset(), input.key(), input.value()),
                input.headers(), input.timestamp(), exception, problem, maxBytes);
    }

    /**
     * The dead letter of the input record {@code origin}, with its own {@code headers} and
     * {@code timestamp}, refused for {@code problem}: as above, for a record checked after it was re-routed.
     */
    static Record<byte[], DeadLetter> of(Origin origin, Headers headers, long timestamp, String exception, String problem,
                                         int maxBytes) {
        Headers ours = new RecordHeaders()
                .add(EXCEPTION, utf8(exception))
                .add(MESSAGE, utf8(problem))
                .add(TOPIC, utf8(origin.topic()))
                .add(PARTITION, utf8(Integer.toString(origin.partition())))
                .add(OFFSET, utf8(Long.toString(origin.offset())));
        long oursBytes = 0;
        for (Header header : ours) {
            oursBytes += TopicLayout.headerBytes(header.key(), header.value());
        }
        Fit fit = fit(origin.key(), origin.value(), headers.toArray(), oursBytes + (origin.cut() == null ? 0 : CUT_ROOM),
                maxBytes);
        List<String> cut = new ArrayList<>();
        if (origin.cut() != null) {
            cut.add(origin.cut());
        }
        cut.addAll(fit.cut());
        Headers all = concat(fit.headers(), ours);
        if (!cut.isEmpty()) {
            all.add(CUT, utf8(String.join("; ", cut) + "."));
        }
        return new Record<>(fit.key(), new DeadLetter(fit.value()), timestamp, all);
    }

    /**
     * The input record {@code origin}, with its own {@code headers}, as a record re-routed to its
     * job's partition may carry it there for the dead letter it may become: whole, when the re-routed
     * record, {@code fieldBytes} of its own besides (its key, the fields it adds), fits in what the
     * repartition topic takes ({@code maxBytes}: {@link TopicLayout#maxReroutedBytes}); else cut as a dead letter is,
     * saying so: a cut origin is re-routed without the record's headers.
     */
    static Origin carried(Origin origin, Headers headers, long fieldBytes, int maxBytes) {
        Fit fit = fit(origin.key(), origin.value(), headers.toArray(), fieldBytes, maxBytes);
        if (fit.cut().isEmpty()) {
            return origin;
        }
        return new Origin(origin.topic(), origin.partition(), origin.offset(), fit.key(), fit.value(),
                String.join("; ", fit.cut()) + ", to re-route it");
    }

    /** What of a record fits: its key, its value, its own headers, and what was cut to make it fit (empty: nothing). */
    private record Fit(byte[] key, byte[] value, Header[] headers, List<String> cut) {
    }

    /**
     * What of a record (key, value and its own headers) fits in a record of at most {@code maxBytes}
     * that holds {@code otherBytes} of its own besides: the whole, or the record without its own
     * headers, its value then its key cut to their first bytes, with room for the header that says so.
     */
    private static Fit fit(byte[] key, byte[] value, Header[] own, long otherBytes, int maxBytes) {
        long ownBytes = 0;
        for (Header header : own) {
            ownBytes += TopicLayout.headerBytes(header.key(), header.value());
        }
        if (TopicLayout.recordBytes(key, value, ownBytes + otherBytes) <= maxBytes) {
            return new Fit(key, value, own, List.of());
        }
        List<String> cut = new ArrayList<>();
        if (own.length > 0) {
            cut.add(own.length + " header(s) of " + ownBytes + " bytes dropped");
        }
        long room = maxBytes - TopicLayout.recordBytes(null, null, otherBytes + CUT_ROOM);
        int keyLength = key == null ? 0 : key.length;
        if (value != null && value.length > 0 && keyLength + (long) value.length > room) {
            int kept = (int) Math.max(0, Math.min(value.length, room - keyLength));
            cut.add("value cut from " + value.length + " to " + kept + " bytes");
            value = Arrays.copyOf(value, kept);
        }
        if (keyLength > room) {
            int kept = (int) Math.max(0, room);
            cut.add("key cut from " + keyLength + " to " + kept + " bytes");
            key = Arrays.copyOf(key, kept);
        }
        return new Fit(key, value, new Header[0], cut);
    }

    private static Headers concat(Header[] own, Headers ours) {
        Headers all = new RecordHeaders(own);
        for (Header header : ours) {
            all.add(header);
        }
        return all;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
