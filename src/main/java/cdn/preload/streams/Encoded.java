package cdn.preload.streams;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** A value that is written as bytes it already holds: serialised once, where it was made. */
interface Encoded {
    /** The bytes to write; null for a record without a value. */
    byte[] bytes();

    /** Writes any {@link Encoded} as its bytes; sinks only write, so it reads nothing. */
    @SuppressWarnings("unchecked")
    static <T> Serde<T> serde() {
        Serializer<T> serializer = (topic, value) -> value == null ? null : ((Encoded) value).bytes();
        Deserializer<T> deserializer = (topic, bytes) -> {
            throw new UnsupportedOperationException("written only");
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
