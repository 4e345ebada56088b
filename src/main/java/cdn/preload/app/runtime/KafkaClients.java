package cdn.preload.app.runtime;

import cdn.preload.config.Settings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka clients besides the Streams client, from the processor's settings (SASL/TLS included): they
 * give up after {@link #CLIENT_TIMEOUT_MS} instead of a minute, so that an unreachable cluster is
 * reported quickly.
 */
public final class KafkaClients {
    public static final int CLIENT_TIMEOUT_MS = 10_000;

    private KafkaClients() {
    }

    public static String bootstrap(Settings settings) {
        return settings.kafka().getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
    }

    public static KafkaProducer<byte[], byte[]> producer(Settings settings) {
        Map<String, Object> config = clientConfig(settings, ProducerConfig.configNames());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CLIENT_TIMEOUT_MS);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, CLIENT_TIMEOUT_MS);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * CLIENT_TIMEOUT_MS);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer without a group: it is assigned partitions and reads only committed records. */
    public static KafkaConsumer<byte[], byte[]> consumer(Settings settings) {
        Map<String, Object> config = clientConfig(settings, ConsumerConfig.configNames());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CLIENT_TIMEOUT_MS);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, CLIENT_TIMEOUT_MS);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public static Admin admin(Settings settings) {
        Map<String, Object> config = clientConfig(settings, AdminClientConfig.configNames());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CLIENT_TIMEOUT_MS);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, CLIENT_TIMEOUT_MS);
        return Admin.create(config);
    }

    /** The partitions of {@code topic}, or a clear error when the topic is missing or the cluster unreachable. */
    public static List<PartitionInfo> partitions(KafkaConsumer<?, ?> consumer, String topic, Settings settings) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic);
        if (partitions == null || partitions.isEmpty()) {
            throw new KafkaSetupException("Topic " + topic + " does not exist on " + bootstrap(settings)
                    + " (create the topics with: topics create).");
        }
        return partitions;
    }

    /** The settings' properties that this kind of client knows (the processor's Streams settings left out). */
    private static Map<String, Object> clientConfig(Settings settings, Set<String> known) {
        Properties kafka = settings.kafka();
        Map<String, Object> config = new HashMap<>();
        for (String name : kafka.stringPropertyNames()) {
            if (known.contains(name)) {
                config.put(name, kafka.getProperty(name));
            }
        }
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "preload-job-processor-cli");
        return config;
    }
}
