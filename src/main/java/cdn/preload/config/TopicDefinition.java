package cdn.preload.config;

import java.util.Map;

/**
 * One topic as {@code topics/<role>.properties} defines it.
 *
 * @param replicationFactor replicas, or -1 for the broker's default
 */
public record TopicDefinition(String role, String name, int partitions, short replicationFactor,
                              Map<String, String> configs) {
    public static final short BROKER_DEFAULT_REPLICATION = -1;

    public TopicDefinition withName(String newName) {
        return new TopicDefinition(role, newName, partitions, replicationFactor, configs);
    }

    public String cleanupPolicy() {
        return configs.getOrDefault("cleanup.policy", "delete");
    }
}
