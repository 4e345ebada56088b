package cdn.preload.streams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A record's time: its timestamp, as Kafka Streams' default. A negative one (-1 is Kafka's "no
 * timestamp", which the broker accepts and librdkafka clients can send) is bad input, not a reason to
 * stop, as the default extractor does: such a record takes its partition's time, or the processor's
 * clock before the partition has one.
 */
public final class RecordTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        if (timestamp >= 0) {
            return timestamp;
        }
        return partitionTime >= 0 ? partitionTime : System.currentTimeMillis();
    }
}
