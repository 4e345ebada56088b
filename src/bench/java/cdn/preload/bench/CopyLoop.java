package cdn.preload.bench;

import cdn.preload.config.Settings;
import cdn.preload.testing.UntilTerminated;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * A plain consumer-to-producer loop from {@code BENCH_IN} to {@code BENCH_OUT}, with what Kafka
 * Streams would use: under exactly_once_v2 a transaction per commit interval (100 ms) that carries
 * the consumed offsets, read_committed input; under at_least_once a flush and an offset commit per
 * commit interval (30 s). Batching as Streams sets it (1000 records a poll, linger 100 ms), and the
 * processor's batch size.
 */
public final class CopyLoop {
    private CopyLoop() {
    }

    public static void main(String[] args) {
        Properties kafka = Settings.fromEnvironment(System.getenv()).kafka();
        boolean exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(kafka.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        String bootstrap = kafka.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        String group = kafka.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        long commitIntervalMs = exactlyOnce ? 100 : 30_000;

        Map<String, Object> consumerConfig = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, exactlyOnce ? "read_committed" : "read_uncommitted"));
        Map<String, Object> producerConfig = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 100,
                ProducerConfig.ACKS_CONFIG, "all"));
        if (kafka.getProperty(ProducerConfig.BATCH_SIZE_CONFIG) != null) { // the processor's batch size
            producerConfig.put(ProducerConfig.BATCH_SIZE_CONFIG, kafka.getProperty(ProducerConfig.BATCH_SIZE_CONFIG));
        }
        if (exactlyOnce) {
            producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-copy-loop");
        }
        AtomicBoolean running = UntilTerminated.running("stop-copy-loop");
        String out = System.getenv("BENCH_OUT");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(System.getenv("BENCH_IN")));
            if (exactlyOnce) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
            long lastCommit = System.currentTimeMillis();
            while (running.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    producer.send(new ProducerRecord<>(out, null, record.timestamp(), record.key(), record.value()));
                    pending.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                if (!pending.isEmpty() && System.currentTimeMillis() - lastCommit >= commitIntervalMs) {
                    if (exactlyOnce) {
                        producer.sendOffsetsToTransaction(pending, consumer.groupMetadata());
                        producer.commitTransaction();
                        producer.beginTransaction();
                    } else {
                        producer.flush();
                        consumer.commitSync(pending);
                    }
                    pending.clear();
                    lastCommit = System.currentTimeMillis();
                }
            }
        }
    }
}
