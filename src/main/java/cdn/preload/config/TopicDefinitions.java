package cdn.preload.config;

import cdn.preload.streams.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Reads the topic definitions of {@code topics/}: one properties file per role with {@code name},
 * {@code partitions}, {@code replication.factor} and {@code config.<name>} keys. The jar carries a
 * copy of the folder, so a deployed processor reads the same definitions as a checkout.
 */
public final class TopicDefinitions {
    public static final String JOBS = "jobs";
    public static final String COMMANDS = "commands";
    public static final String PROGRESS = "progress";
    public static final String SNAPSHOTS = "snapshots";
    public static final String STATE = "state";
    public static final String ERRORS = "errors";
    public static final String DLQ = "dlq";
    public static final List<String> ROLES = List.of(JOBS, COMMANDS, PROGRESS, SNAPSHOTS, STATE, ERRORS, DLQ);

    private static final String CONFIG_PREFIX = "config.";

    private TopicDefinitions() {
    }

    /** The definitions the jar carries, with the names the settings give (renames applied). */
    public static List<TopicDefinition> forTopics(Topics topics) {
        List<TopicDefinition> definitions = new ArrayList<>();
        for (TopicDefinition definition : fromClasspath()) {
            definitions.add(definition.withName(nameOf(definition.role(), topics)));
        }
        return definitions;
    }

    /**
     * The largest record the dead-letter topic takes ({@code max.message.bytes} of
     * {@code topics/dlq.properties}): the processor's producer makes requests as large, so that a dead
     * letter of the largest record an input topic takes fits whole.
     */
    public static String deadLetterRoom() {
        return fromClasspath().stream().filter(definition -> definition.role().equals(DLQ)).findFirst().orElseThrow()
                .configs().get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    }

    public static List<TopicDefinition> fromClasspath() {
        List<TopicDefinition> definitions = new ArrayList<>();
        for (String role : ROLES) {
            definitions.add(parse(role, "/topics/" + role + ".properties", Topics.definition(role)));
        }
        return definitions;
    }

    public static List<TopicDefinition> fromDirectory(Path dir) {
        List<TopicDefinition> definitions = new ArrayList<>();
        for (String role : ROLES) {
            Path file = dir.resolve(role + ".properties");
            try (Reader reader = Files.newBufferedReader(file)) {
                Properties properties = new Properties();
                properties.load(reader);
                definitions.add(parse(role, file.toString(), properties));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read topic definition " + file, e);
            }
        }
        return definitions;
    }

    public static String nameOf(String role, Topics topics) {
        return switch (role) {
            case JOBS -> topics.jobs();
            case COMMANDS -> topics.commands();
            case PROGRESS -> topics.progress();
            case SNAPSHOTS -> topics.snapshots();
            case STATE -> topics.state();
            case ERRORS -> topics.errors();
            case DLQ -> topics.deadLetters();
            default -> throw new IllegalArgumentException("Unknown topic role " + role);
        };
    }

    private static TopicDefinition parse(String role, String source, Properties properties) {
        Map<String, String> configs = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith(CONFIG_PREFIX)) {
                configs.put(key.substring(CONFIG_PREFIX.length()), properties.getProperty(key).trim());
            } else if (!List.of("name", "partitions", "replication.factor").contains(key)) {
                throw new IllegalStateException(source + ": unknown key " + key);
            }
        }
        return new TopicDefinition(role, required(properties, "name", source),
                Integer.parseInt(required(properties, "partitions", source)),
                Short.parseShort(required(properties, "replication.factor", source)),
                Map.copyOf(configs));
    }

    private static String required(Properties properties, String key, String source) {
        String value = properties.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(source + ": missing " + key);
        }
        return value.trim();
    }
}
