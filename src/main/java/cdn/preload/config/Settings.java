package cdn.preload.config;

import cdn.preload.domain.RateLimit;
import cdn.preload.streams.BoundedRocksDb;
import cdn.preload.streams.FreshCommits;
import cdn.preload.streams.StreamsDefaults;
import cdn.preload.streams.Topics;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Everything the processor is configured with, read from the environment and, optionally, a
 * properties file of Kafka settings named by {@code CONFIG_FILE}. The environment wins over the file,
 * and both over the Kafka Streams properties the topology needs ({@link StreamsDefaults}).
 *
 * <ul>
 *   <li>{@code KAFKA_<NAME>} sets the Kafka Streams, consumer, producer or admin property
 *       {@code <name>}: lower case, {@code ___} becomes {@code -}, {@code __} becomes {@code _}, and
 *       {@code _} becomes {@code .} (the convention of Confluent's Kafka images).</li>
 *   <li>{@code TOPIC_JOBS}, {@code TOPIC_COMMANDS}, {@code TOPIC_PROGRESS}, {@code TOPIC_SNAPSHOTS},
 *       {@code TOPIC_STATE}, {@code TOPIC_ERRORS}, {@code TOPIC_DLQ} rename the topics.</li>
 *   <li>{@code RESET_LIMIT} and {@code RESET_WINDOW}: the rate limit (5 resets per 60s).</li>
 *   <li>{@code REPLAY_RETENTION}: how long answers are remembered for replays (24h).</li>
 *   <li>{@code COMMIT_WHEN_FRESH} (50ms; 0 or off: never): a command answered within this time of its record time
 *       asks for a commit at once, at most once every {@code COMMIT_WHEN_FRESH_MIN_GAP} (10ms).</li>
 *   <li>{@code ROCKSDB_MEMORY_MB} (128): the memory all RocksDB stores of an instance share.</li>
 *   <li>{@code HTTP_ENABLED} (true), {@code HTTP_HOST} (0.0.0.0), {@code HTTP_PORT} (8080): the HTTP
 *       interface for health, metrics and job queries; {@code HTTP_AUTH_TOKEN}: the bearer token job
 *       queries must show (none: they are refused).</li>
 * </ul>
 *
 * An unknown setting or an invalid value fails with a message that names it.
 */
public record Settings(Topics topics, RateLimit rateLimit, Duration replayRetention, FreshCommits freshCommits,
                       Properties kafka, Http http) {
    /**
     * The processor's HTTP interface (health, metrics, job queries).
     *
     * @param authToken the bearer token that job queries must show; null: none, and job queries are refused
     */
    public record Http(boolean enabled, String host, int port, String authToken) {
        public static final Http DEFAULT = new Http(true, "0.0.0.0", 8080, null);

        @Override
        public String toString() {
            return "Http[enabled=" + enabled + ", host=" + host + ", port=" + port + ", authToken="
                    + (authToken == null ? "none" : "(set)") + "]";
        }
    }

    public static final String CONFIG_FILE = "CONFIG_FILE";
    public static final String TOPIC_JOBS = "TOPIC_JOBS";
    public static final String TOPIC_COMMANDS = "TOPIC_COMMANDS";
    public static final String TOPIC_PROGRESS = "TOPIC_PROGRESS";
    public static final String TOPIC_SNAPSHOTS = "TOPIC_SNAPSHOTS";
    public static final String TOPIC_STATE = "TOPIC_STATE";
    public static final String TOPIC_ERRORS = "TOPIC_ERRORS";
    public static final String TOPIC_DLQ = "TOPIC_DLQ";
    public static final String RESET_LIMIT = "RESET_LIMIT";
    public static final String RESET_WINDOW = "RESET_WINDOW";
    public static final String REPLAY_RETENTION = "REPLAY_RETENTION";
    /**
     * A command answered within this time of its record time asks for a commit at once, so that a
     * caller waiting for its answer does not wait for the commit interval (0: off). A backlog's
     * commands are older, and are committed at the interval, in large transactions.
     */
    public static final String COMMIT_WHEN_FRESH = "COMMIT_WHEN_FRESH";
    public static final Duration DEFAULT_COMMIT_WHEN_FRESH = Duration.ofMillis(50);
    /** The processor's producer's first retry backoff, unless {@code retry.backoff.ms} is set (see docs/PERFORMANCE.md). */
    public static final long PRODUCER_RETRY_BACKOFF_MS = 5;
    /**
     * The shortest time between two early commits ({@link #COMMIT_WHEN_FRESH}) of one stream thread, so that
     * a steady stream of fresh commands shares its transactions. With early commits on, the stream
     * thread's {@code poll.ms} is this too unless set, so that an answer left pending is committed
     * after this long, not when the next command comes in.
     */
    public static final String COMMIT_WHEN_FRESH_MIN_GAP = "COMMIT_WHEN_FRESH_MIN_GAP";
    public static final Duration DEFAULT_COMMIT_WHEN_FRESH_MIN_GAP = Duration.ofMillis(10);
    public static final String HTTP_ENABLED = "HTTP_ENABLED";
    public static final String HTTP_HOST = "HTTP_HOST";
    public static final String HTTP_PORT = "HTTP_PORT";
    public static final String HTTP_AUTH_TOKEN = "HTTP_AUTH_TOKEN";
    /** The shortest bearer token accepted: a guessable one would let anyone read every job. */
    public static final int MIN_TOKEN_LENGTH = 16;
    public static final String ROCKSDB_MEMORY_MB = "ROCKSDB_MEMORY_MB";
    public static final Duration DEFAULT_REPLAY_RETENTION = Duration.ofHours(24);

    private static final String KAFKA_PREFIX = "KAFKA_";
    private static final List<String> TOPIC_SETTINGS =
            List.of(TOPIC_JOBS, TOPIC_COMMANDS, TOPIC_PROGRESS, TOPIC_SNAPSHOTS, TOPIC_STATE, TOPIC_ERRORS, TOPIC_DLQ);
    /**
     * Variables that Kafka's own scripts and images read (JVM options such as {@code KAFKA_HEAP_OPTS},
     * logging such as {@code KAFKA_LOG4J_ROOT_LOGLEVEL}, the installation), set on many machines that
     * run Kafka; they are not settings. No Kafka property spells one of these.
     */
    private static final Pattern KAFKA_SCRIPT_VARIABLES = Pattern.compile(
            "KAFKA_(\\w+_)?OPTS|KAFKA_LOG4J_\\w+|KAFKA_(HOME|DEBUG|LOG_DIR|JMX_PORT|JMX_HOSTNAME|GC_LOG_ENABLED)");
    /**
     * Variables that Kubernetes (and Docker links) inject for a service whose name starts with
     * "kafka" or "topic" ({@code kafka}, {@code kafka-ui}, {@code topic}, ...), the prefixes whose
     * unknown names stop the processor: {@code <NAME>_SERVICE_HOST},
     * {@code <NAME>_SERVICE_PORT[_<PORT NAME>]}, {@code <NAME>_PORT[_<N>_<PROTO>[_ADDR|_PORT|_PROTO]]}.
     * No Kafka property and no topic setting spells one of these.
     */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "(KAFKA|TOPIC)(_\\w+?)?_(PORT(_\\d+_(TCP|UDP|SCTP)(_(ADDR|PORT|PROTO))?)?|SERVICE_(HOST|PORT(_\\w+)?))");
    /** The value of a service link's {@code <NAME>_PORT}: {@code tcp://10.0.0.11:80}. */
    private static final Pattern SERVICE_LINK_VALUE = Pattern.compile("(tcp|udp|sctp)://.*");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Set<String> CLIENT_PROPERTIES = clientProperties();
    private static final List<String> CLIENT_PREFIXES = List.of(
            StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.CONSUMER_PREFIX,
            StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);
    private static final Set<String> TOPIC_PROPERTIES = topicProperties();

    /** These settings with one Kafka property set (or replaced). */
    public Settings withKafkaProperty(String name, String value) {
        Properties copy = new Properties();
        copy.putAll(kafka);
        copy.setProperty(name, value);
        return new Settings(topics, rateLimit, replayRetention, freshCommits, copy, http);
    }

    /** The defaults alone, as if the environment were empty. */
    public static Settings defaults() {
        return fromEnvironment(Map.of());
    }

    public static Settings fromEnvironment(Map<String, String> env) {
        Properties kafka = StreamsDefaults.properties();
        // Room for a dead letter: as large a record as the dead-letter topic takes (topics/dlq.properties).
        kafka.setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicDefinitions.deadLetterRoom());
        String file = env.get(CONFIG_FILE);
        if (file != null && !file.isBlank()) {
            Properties fromFile = readFile(file);
            for (String name : fromFile.stringPropertyNames()) {
                if (!isKnown(name)) {
                    throw unknown(CONFIG_FILE + " " + file + ": property " + name);
                }
                kafka.setProperty(name, fromFile.getProperty(name).trim());
            }
        }
        Set<String> unknownTopicSettings = new HashSet<>();
        for (Map.Entry<String, String> variable : new TreeMap<>(env).entrySet()) {
            String name = variable.getKey();
            if (SERVICE_LINK.matcher(name).matches()) {
                continue;
            }
            if (name.startsWith(KAFKA_PREFIX) && !KAFKA_SCRIPT_VARIABLES.matcher(name).matches()) {
                String property = property(name.substring(KAFKA_PREFIX.length()));
                if (!isKnown(property)) {
                    throw unknown(name + " (property " + property + ")");
                }
                kafka.setProperty(property, variable.getValue());
            } else if (name.startsWith("TOPIC_") && !TOPIC_SETTINGS.contains(name)) {
                unknownTopicSettings.add(name);
            }
        }
        if (!unknownTopicSettings.isEmpty()) {
            throw new SettingsException("Unknown setting " + String.join(", ", unknownTopicSettings.stream().sorted().toList())
                    + ": the topic settings are " + String.join(", ", TOPIC_SETTINGS) + ".");
        }

        Topics topics = new Topics(
                topicName(env, TOPIC_JOBS, Topics.DEFAULT.jobs()),
                topicName(env, TOPIC_COMMANDS, Topics.DEFAULT.commands()),
                topicName(env, TOPIC_PROGRESS, Topics.DEFAULT.progress()),
                topicName(env, TOPIC_SNAPSHOTS, Topics.DEFAULT.snapshots()),
                topicName(env, TOPIC_STATE, Topics.DEFAULT.state()),
                topicName(env, TOPIC_ERRORS, Topics.DEFAULT.errors()),
                topicName(env, TOPIC_DLQ, Topics.DEFAULT.deadLetters()));
        String dlqProperty = StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG;
        if (kafka.getProperty(dlqProperty) != null) {
            // Kafka Streams' handlers would dead-letter a record whose processing failed, however
            // valid it is; the topology writes the dead letters of bad input itself.
            throw new SettingsException("Property " + dlqProperty + " is not used: the processor writes the dead letters"
                    + " of bad input itself, to " + TOPIC_DLQ + " (" + topics.deadLetters() + "), and never dead-letters a"
                    + " record because processing failed. Set " + TOPIC_DLQ + " only.");
        }

        RateLimit rateLimit = new RateLimit(
                wholeNumber(env, RESET_LIMIT, RateLimit.DEFAULT.maxResets(), 1, RateLimit.MAX_RESETS,
                        "a whole number from 1 to " + RateLimit.MAX_RESETS + " (to allow more resets a second, shorten RESET_WINDOW)"),
                duration(env, RESET_WINDOW, RateLimit.DEFAULT.window()));
        Duration replayRetention = duration(env, REPLAY_RETENTION, DEFAULT_REPLAY_RETENTION);
        String fresh = env.getOrDefault(COMMIT_WHEN_FRESH, "").trim();
        long freshMs = fresh.equals("0") || fresh.equalsIgnoreCase("off") ? 0
                : duration(env, COMMIT_WHEN_FRESH, DEFAULT_COMMIT_WHEN_FRESH).toMillis();
        long minGapMs = duration(env, COMMIT_WHEN_FRESH_MIN_GAP, DEFAULT_COMMIT_WHEN_FRESH_MIN_GAP).toMillis();
        if (freshMs > 0 && kafka.getProperty(StreamsConfig.POLL_MS_CONFIG) == null) {
            kafka.setProperty(StreamsConfig.POLL_MS_CONFIG, Long.toString(minGapMs));
        }
        // Under transactions v2 (Kafka 4), a transactional request sent while the previous
        // transaction's markers are still being written is refused for a moment (CONCURRENT_TRANSACTIONS),
        // and retried after retry.backoff.ms: 100 ms by default, far longer than the markers take
        // (KAFKA-20000). With a commit every few milliseconds that was the tail of a caller's wait.
        // The backoff still grows exponentially to retry.backoff.max.ms when the broker stays away.
        String producerBackoff = StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
        if (kafka.getProperty(ProducerConfig.RETRY_BACKOFF_MS_CONFIG) == null && kafka.getProperty(producerBackoff) == null) {
            kafka.setProperty(producerBackoff, Long.toString(PRODUCER_RETRY_BACKOFF_MS));
        }
        long rocksDbMemory = (long) wholeNumber(env, ROCKSDB_MEMORY_MB, (int) (BoundedRocksDb.DEFAULT_MEMORY >> 20), 16,
                1 << 20, "a size in MiB, 16 or more") << 20;
        kafka.setProperty(BoundedRocksDb.MEMORY_CONFIG, Long.toString(rocksDbMemory));
        // Kafka Streams checks this one again on the main consumer's settings (its partition assignor's),
        // which carry only what is set for the consumer: a copy there, as set, spares a warning at every start.
        kafka.setProperty(StreamsConfig.MAIN_CONSUMER_PREFIX + StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG,
                kafka.getProperty(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG));
        String token = env.get(HTTP_AUTH_TOKEN);
        if (token != null && !token.isBlank()
                && (token.trim().length() < MIN_TOKEN_LENGTH || !token.trim().chars().allMatch(c -> c > 0x20 && c < 0x7F))) {
            // HTTP headers are read as ISO-8859-1: a token beyond visible ASCII could never be sent right.
            throw new SettingsException(HTTP_AUTH_TOKEN + " must be at least " + MIN_TOKEN_LENGTH
                    + " visible ASCII characters (a random one: openssl rand -hex 32).");
        }
        Http http = new Http(bool(env, HTTP_ENABLED, Http.DEFAULT.enabled()),
                env.getOrDefault(HTTP_HOST, Http.DEFAULT.host()),
                wholeNumber(env, HTTP_PORT, Http.DEFAULT.port(), 0, 65535, "a port number (0: any free port)"),
                token == null || token.isBlank() ? null : token.trim());

        try {
            new StreamsConfig(kafka);
        } catch (ConfigException e) {
            throw new SettingsException("Invalid Kafka setting: " + e.getMessage());
        }
        return new Settings(topics, rateLimit, replayRetention,
                new FreshCommits(Duration.ofMillis(freshMs), Duration.ofMillis(minGapMs)), kafka, http);
    }

    /**
     * The property a variable names after {@code KAFKA_}, as Confluent's Kafka images read it: lower
     * case, {@code ___} for {@code -}, {@code __} for {@code _}, {@code _} for {@code .}
     * ({@code RACK_AWARE_ASSIGNMENT_TRAFFIC__COST} is {@code rack.aware.assignment.traffic_cost}).
     */
    private static String property(String variable) {
        return Arrays.stream(variable.toLowerCase(Locale.ROOT).split("___", -1))
                .map(dashed -> Arrays.stream(dashed.split("__", -1)).map(part -> part.replace('_', '.'))
                        .collect(Collectors.joining("_")))
                .collect(Collectors.joining("-"));
    }

    private static Properties readFile(String file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file))) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new SettingsException(CONFIG_FILE + ": cannot read " + file + ": " + e);
        }
        return properties;
    }

    private static boolean isKnown(String property) {
        if (CLIENT_PROPERTIES.contains(property)) {
            return true;
        }
        for (String prefix : CLIENT_PREFIXES) {
            if (property.startsWith(prefix) && CLIENT_PROPERTIES.contains(property.substring(prefix.length()))) {
                return true;
            }
        }
        return property.startsWith(StreamsConfig.TOPIC_PREFIX)
                && TOPIC_PROPERTIES.contains(property.substring(StreamsConfig.TOPIC_PREFIX.length()));
    }

    private static SettingsException unknown(String where) {
        return new SettingsException("Unknown setting " + where
                + ": not a Kafka Streams, consumer, producer, admin or topic property.");
    }

    private static String topicName(Map<String, String> env, String name, String defaultName) {
        String value = env.get(name);
        if (value == null) {
            return defaultName;
        }
        if (!value.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new SettingsException(name + " must be a Kafka topic name (letters, digits, '.', '_', '-'), got '"
                    + value + "'.");
        }
        return value;
    }

    private static boolean bool(Map<String, String> env, String name, boolean defaultValue) {
        String value = env.get(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new SettingsException(name + " must be true or false, got '" + value + "'.");
        };
    }

    /** A whole number in [min, max] from {@code env}, or the default; otherwise an error saying what it must be. */
    public static int wholeNumber(Map<String, String> env, String name, int defaultValue, int min, int max, String what) {
        String value = env.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        if (name.endsWith("_PORT") && SERVICE_LINK_VALUE.matcher(value.trim()).matches()) {
            // HTTP_PORT is a setting of ours and what Kubernetes sets for a Service named http.
            String service = name.substring(0, name.length() - "_PORT".length()).toLowerCase(Locale.ROOT).replace('_', '-');
            throw new SettingsException(name + " must be " + what + ", got '" + value + "', which is what Kubernetes sets"
                    + " for a Service named " + service + ": rename that Service, or set enableServiceLinks: false in the"
                    + " pod's spec.");
        }
        throw new SettingsException(name + " must be " + what + ", got '" + value + "'.");
    }

    /** A positive duration, written {@code 500ms}, {@code 60s}, {@code 5m}, {@code 24h}, {@code 1d} or ISO-8601 ({@code PT24H}). */
    public static Duration duration(Map<String, String> env, String name, Duration defaultValue) {
        String value = env.get(name);
        if (value == null) {
            return defaultValue;
        }
        Duration parsed = null;
        String text = value.trim();
        Matcher shortForm = SHORT_DURATION.matcher(text);
        try {
            if (shortForm.matches()) {
                long amount = Long.parseLong(shortForm.group(1));
                parsed = switch (shortForm.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } else if (text.startsWith("P") || text.startsWith("p")) {
                parsed = Duration.parse(text);
            }
        } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
            parsed = null;
        }
        if (parsed == null || parsed.isZero() || parsed.isNegative()) {
            throw new SettingsException(name + " must be a positive duration such as 500ms, 60s, 5m, 24h, 1d or PT24H, got '"
                    + value + "'.");
        }
        return parsed;
    }

    private static Set<String> clientProperties() {
        Set<String> names = new HashSet<>(StreamsConfig.configDef().names());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(ProducerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return names;
    }

    private static Set<String> topicProperties() {
        Set<String> names = new HashSet<>();
        for (Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }
}
