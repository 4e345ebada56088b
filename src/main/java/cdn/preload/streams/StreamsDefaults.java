package cdn.preload.streams;

import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;

/**
 * The Kafka Streams properties the processor runs with before any setting: what the topology needs
 * to keep its contract (exactly-once, failures that stop rather than skip, record time for records
 * without one, committed reads of its stores, names that do not move) and the sizes of its producer.
 * The settings ({@code config.Settings}) start from these; a test driver of the topology takes them
 * as they are.
 */
public final class StreamsDefaults {
    public static final String APPLICATION_ID = "preload-job-processor";
    /** The producer's batch size (256 KiB). */
    public static final int BATCH_SIZE = 256 * 1024;
    /**
     * The producer's request limit (2 MiB), so that a dead letter of the largest record an input
     * topic takes by default (1 MiB) fits whole, with its headers. {@code topics/dlq.properties}
     * gives the dead-letter topic the same room.
     */
    public static final int MAX_REQUEST_SIZE = 2 * 1024 * 1024;

    private StreamsDefaults() {
    }

    /** A new copy of the defaults. */
    public static Properties properties() {
        Properties kafka = new Properties();
        kafka.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        kafka.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        kafka.setProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Bad input is answered or dead-lettered by the topology itself, and never throws. An exception
        // is a failure (a store, the broker, a bug): the processor stops rather than skip a valid record,
        // and resumes from its last commit when it is restarted.
        kafka.setProperty(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailExceptionHandler.class.getName());
        kafka.setProperty(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndFailProcessingExceptionHandler.class.getName());
        // A record without a timestamp is processed, not a reason to stop.
        kafka.setProperty(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, RecordTime.class.getName());
        // No global stores here; opting in now is what Kafka 5.0 will do by default, and silences its warning.
        kafka.setProperty(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // Room for a dead letter (see MAX_REQUEST_SIZE).
        kafka.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_SIZE));
        // Larger producer batches than the 16 KiB default: fewer requests for the broker to handle and
        // less work per record in the producer. Measured in docs/PERFORMANCE.md.
        kafka.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(BATCH_SIZE));
        // All RocksDB stores of an instance share one memory budget.
        kafka.setProperty(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        kafka.setProperty(BoundedRocksDb.MEMORY_CONFIG, Long.toString(BoundedRocksDb.DEFAULT_MEMORY));
        // GET /jobs/{Id} reads only committed state: a store's writes wait in a transaction buffer until
        // their transaction commits (KIP-892), so no query shows a change that a crash rolls back; and
        // after a crash, the stores are no longer wiped and restored from their changelogs.
        kafka.setProperty(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, "true");
        kafka.setProperty(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG, "READ_COMMITTED");
        // Stores and internal topics keep the names the topology gives them, across versions.
        kafka.setProperty(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
        return kafka;
    }
}
