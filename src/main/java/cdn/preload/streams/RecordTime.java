package cdn.preload.streams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A record's time, which the rate limit and the replay memory count in: its timestamp, but never
 * later than the processor's clock when it reads the record, so that no producer's clock can move
 * it ahead. A command stamped a year ahead would otherwise carry stream time a year forward (and the
 * purge with it, wiping the replay memory), and fill its job's reset history with resets no honest
 * command's window reaches, so that the limit stopped working.
 *
 * <p>A negative timestamp (-1 is Kafka's "no timestamp", which the broker accepts and librdkafka
 * clients can send) is bad input, not a reason to stop as Kafka Streams' default extractor does:
 * such a record takes its partition's time, or the clock before the partition has one.
 *
 * <p>Only a timestamp ahead of the clock changes, and only then does reprocessing give a record
 * another time than the first processing did. A backdated command keeps its time: where publishers
 * are not trusted to stamp commands, set {@code message.timestamp.type=LogAppendTime} on the
 * commands topic.
 */
public final class RecordTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        long now = System.currentTimeMillis();
        if (timestamp < 0) {
            return partitionTime >= 0 ? Math.min(partitionTime, now) : now;
        }
        return Math.min(timestamp, now);
    }
}
