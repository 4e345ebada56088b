package cdn.preload.app.cli;

import cdn.preload.config.Settings;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Option;

/**
 * What every command shares: the processor's settings from the environment (topic names, SASL/TLS,
 * {@code CONFIG_FILE}), with {@code --bootstrap-servers} on top.
 */
final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "The Kafka cluster. Default: $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092.")
    String bootstrapServers;

    Settings settings(Map<String, String> env) {
        Settings settings = Settings.fromEnvironment(env);
        return bootstrapServers == null ? settings
                : settings.withKafkaProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }
}
