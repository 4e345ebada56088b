package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A record's time: its timestamp, never ahead of the processor's clock; one without a timestamp takes its partition's. */
class RecordTimeTest {
    private final RecordTime time = new RecordTime();

    @Test
    void aRecordsTimeIsItsTimestamp() {
        assertThat(time.extract(record(1_717_000_000_000L), 1_000L)).isEqualTo(1_717_000_000_000L);
        assertThat(time.extract(record(0), 1_000L)).isZero();
    }

    @Test
    void aTimestampAheadOfTheClockIsTheClock() {
        long yearAhead = System.currentTimeMillis() + Duration.ofDays(365).toMillis();
        long before = System.currentTimeMillis();

        assertThat(time.extract(record(yearAhead), 1_000L)).isBetween(before, System.currentTimeMillis());
    }

    @Test
    void aRecordWithoutTimestampTakesItsPartitionsTimeOrTheClockBeforeThereIsOne() {
        assertThat(time.extract(record(-1), 1_717_000_000_000L)).isEqualTo(1_717_000_000_000L);
        long before = System.currentTimeMillis();
        assertThat(time.extract(record(-5), -1)).isBetween(before, System.currentTimeMillis());
    }

    private static ConsumerRecord<Object, Object> record(long timestamp) {
        return new ConsumerRecord<>("preload-job-reset-commands", 0, 0, timestamp, TimestampType.CREATE_TIME, 0, 0, null, null,
                new RecordHeaders(), java.util.Optional.empty());
    }
}
