package cdn.preload.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cdn.preload.domain.RateLimit;
import cdn.preload.streams.FreshCommits;
import cdn.preload.streams.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void defaultsWorkAgainstALocalBrokerWithExactlyOnceAndTheContractsTopics() {
        Settings settings = Settings.defaults();

        assertThat(settings.topics()).isEqualTo(new Topics("preload-jobs", "preload-job-reset-commands",
                "preload-job-progress", "preload-job-snapshots", "preload-job-state", "preload-job-errors", "preload-job-dlq"));
        assertThat(settings.rateLimit()).isEqualTo(new RateLimit(5, Duration.ofSeconds(60)));
        assertThat(settings.replayRetention()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.kafka())
                .containsEntry("application.id", "preload-job-processor")
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .doesNotContainKey("errors.dead.letter.queue.topic.name")
                .containsEntry("processing.exception.handler",
                        "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler")
                .containsEntry("deserialization.exception.handler",
                        "org.apache.kafka.streams.errors.LogAndFailExceptionHandler")
                .containsEntry("ensure.explicit.internal.resource.naming", "true")
                .containsEntry("default.timestamp.extractor", "cdn.preload.streams.RecordTime")
                .containsEntry("max.request.size", "2097152")
                .containsEntry("batch.size", "262144")
                .containsEntry("rocksdb.config.setter", "cdn.preload.streams.BoundedRocksDb")
                .containsEntry("preload.rocksdb.memory.bytes", Long.toString(128L << 20));
    }

    @Test
    void rocksDbMemoryIsSetInMiB() {
        assertThat(Settings.fromEnvironment(Map.of("ROCKSDB_MEMORY_MB", "512")).kafka())
                .containsEntry("preload.rocksdb.memory.bytes", Long.toString(512L << 20));
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("ROCKSDB_MEMORY_MB", "8")))
                .hasMessage("ROCKSDB_MEMORY_MB must be a size in MiB, 16 or more, got '8'.");
    }

    @Test
    void saslAndTlsSettingsReachEveryClientOfTheProcessor() {
        Map<String, String> env = Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"resets\" password=\"secret\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/truststore.p12",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "changeit",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        StreamsConfig config = new StreamsConfig(Settings.fromEnvironment(env).kafka());

        List<Map<String, Object>> clients = List.of(
                config.getMainConsumerConfigs("g", "c", 0),
                config.getRestoreConsumerConfigs("c"),
                config.getProducerConfigs("c"),
                config.getAdminConfigs("c"));
        for (Map<String, Object> client : clients) {
            assertThat(client)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", env.get("KAFKA_SASL_JAAS_CONFIG"))
                    .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                    .containsEntry("ssl.truststore.password", "changeit")
                    .containsEntry("ssl.truststore.type", "PKCS12");
        }
    }

    @Test
    void kafkaVariablesSetTheirPropertyLowerCaseWithDots() {
        Settings settings = Settings.fromEnvironment(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092",
                "KAFKA_APPLICATION_ID", "resets-eu",
                "KAFKA_STATE_DIR", "/var/lib/resets",
                "KAFKA_PROCESSING_GUARANTEE", "at_least_once",
                "KAFKA_PRODUCER_LINGER_MS", "5",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", "2"));

        assertThat(settings.kafka())
                .containsEntry("bootstrap.servers", "broker-1:9092,broker-2:9092")
                .containsEntry("application.id", "resets-eu")
                .containsEntry("state.dir", "/var/lib/resets")
                .containsEntry("processing.guarantee", "at_least_once")
                .containsEntry("producer.linger.ms", "5")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("topic.min.insync.replicas", "2");
    }

    @Test
    void kafkaVariablesSpellUnderscoresAndDashesAsConfluentsImagesDo() {
        // In the name after KAFKA_: ___ is '-', __ is '_', _ is '.'.
        Settings settings = Settings.fromEnvironment(Map.of(
                "KAFKA_RACK_AWARE_ASSIGNMENT_TRAFFIC__COST", "10",
                "KAFKA_RACK_AWARE_ASSIGNMENT_NON__OVERLAP__COST", "20",
                "KAFKA_MAIN_CONSUMER_CLIENT_RACK", "eu-1a"));

        assertThat(settings.kafka())
                .containsEntry("rack.aware.assignment.traffic_cost", "10")
                .containsEntry("rack.aware.assignment.non_overlap_cost", "20")
                .containsEntry("main.consumer.client.rack", "eu-1a");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("KAFKA_SOME___NEW__SETTING_NAME", "x")))
                .hasMessage("Unknown setting KAFKA_SOME___NEW__SETTING_NAME (property some-new_setting.name):"
                        + " not a Kafka Streams, consumer, producer, admin or topic property.");
    }

    @Test
    void anUnknownKafkaVariableFailsNamingIt() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("KAFKA_BOOTSTRAP_SERVER", "x:9092")))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting KAFKA_BOOTSTRAP_SERVER (property bootstrap.server):"
                        + " not a Kafka Streams, consumer, producer, admin or topic property.");
    }

    @Test
    void anInvalidKafkaValueFailsNamingTheProperty() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("KAFKA_PROCESSING_GUARANTEE", "twice")))
                .isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("Invalid Kafka setting: Invalid value twice for configuration processing.guarantee");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("KAFKA_NUM_STREAM_THREADS", "two")))
                .hasMessageContaining("num.stream.threads");
    }

    @Test
    void kubernetesServiceLinkVariablesAreNotSettings() {
        Settings settings = Settings.fromEnvironment(Map.of(
                "KAFKA_PORT", "tcp://10.0.0.7:9092",
                "KAFKA_PORT_9092_TCP_ADDR", "10.0.0.7",
                "KAFKA_SERVICE_HOST", "10.0.0.7",
                "KAFKA_SERVICE_PORT_BROKER", "9092"));

        assertThat(settings.kafka()).isEqualTo(Settings.defaults().kafka());
    }

    @Test
    void variablesOfKafkasScriptsAndServiceLinksOfKafkaNamedServicesAreNotSettings() {
        Map<String, String> env = new HashMap<>();
        for (String name : List.of("KAFKA_OPTS", "KAFKA_HEAP_OPTS", "KAFKA_JMX_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_GC_LOG_OPTS",
                "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_HOME", "KAFKA_DEBUG")) {
            env.put(name, "-Xmx1g");
        }
        env.put("KAFKA_LOG4J_ROOT_LOGLEVEL", "WARN");
        env.put("KAFKA_LOG4J_LOGGERS", "kafka=WARN");
        env.put("KAFKA_UI_SERVICE_HOST", "10.0.0.8");
        env.put("KAFKA_UI_SERVICE_PORT", "8080");
        env.put("KAFKA_UI_SERVICE_PORT_HTTP", "8080");
        env.put("KAFKA_UI_PORT", "tcp://10.0.0.8:8080");
        env.put("KAFKA_UI_PORT_8080_TCP", "tcp://10.0.0.8:8080");
        env.put("KAFKA_UI_PORT_8080_TCP_PROTO", "tcp");
        env.put("KAFKA_CONNECT_REST_PORT_8083_TCP_ADDR", "10.0.0.9");

        assertNoSettingsButAMisspeltOneFails(env, "KAFKA_BOOTSTRAP_SERVER", "x:9092",
                "Unknown setting KAFKA_BOOTSTRAP_SERVER (property bootstrap.server):"
                        + " not a Kafka Streams, consumer, producer, admin or topic property.");
    }

    @Test
    void topicVariablesRenameTheTopics() {
        Settings settings = Settings.fromEnvironment(Map.of(
                "TOPIC_JOBS", "jobs", "TOPIC_COMMANDS", "cmds", "TOPIC_PROGRESS", "prog", "TOPIC_SNAPSHOTS", "snaps",
                "TOPIC_STATE", "state", "TOPIC_ERRORS", "errs", "TOPIC_DLQ", "dead"));

        assertThat(settings.topics()).isEqualTo(new Topics("jobs", "cmds", "prog", "snaps", "state", "errs", "dead"));
    }

    @Test
    void kafkaStreamsOwnDeadLetterQueueIsRefusedSinceItWouldDeadLetterFailures() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of(
                "TOPIC_DLQ", "dead", "KAFKA_ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME", "dead")))
                .hasMessage("Property errors.dead.letter.queue.topic.name is not used: the processor writes the dead letters"
                        + " of bad input itself, to TOPIC_DLQ (dead), and never dead-letters a record because processing"
                        + " failed. Set TOPIC_DLQ only.");
    }

    @Test
    void serviceLinksOfAServiceNamedTopicAreNotSettingsAndAMisspeltTopicVariableStillFails() {
        Map<String, String> env = new HashMap<>();
        // What Kubernetes injects for Services named topic and topic-browser in the pod's namespace.
        env.put("TOPIC_SERVICE_HOST", "10.0.0.9");
        env.put("TOPIC_SERVICE_PORT", "80");
        env.put("TOPIC_SERVICE_PORT_HTTP", "80");
        env.put("TOPIC_PORT", "tcp://10.0.0.9:80");
        env.put("TOPIC_PORT_80_TCP", "tcp://10.0.0.9:80");
        env.put("TOPIC_PORT_80_TCP_PROTO", "tcp");
        env.put("TOPIC_PORT_80_TCP_PORT", "80");
        env.put("TOPIC_PORT_80_TCP_ADDR", "10.0.0.9");
        env.put("TOPIC_BROWSER_SERVICE_HOST", "10.0.0.10");
        env.put("TOPIC_BROWSER_PORT_8080_UDP_ADDR", "10.0.0.10");

        assertThat(Settings.fromEnvironment(env).topics()).isEqualTo(Settings.defaults().topics());
        assertNoSettingsButAMisspeltOneFails(env, "TOPIC_SNAPSHOT", "x",
                "Unknown setting TOPIC_SNAPSHOT: the topic settings are TOPIC_JOBS, TOPIC_COMMANDS,"
                        + " TOPIC_PROGRESS, TOPIC_SNAPSHOTS, TOPIC_STATE, TOPIC_ERRORS, TOPIC_DLQ.");
    }

    /**
     * Asserts that the variables of {@code env} are no settings (the Kafka properties are the defaults),
     * and that a misspelt setting among them, {@code misspelt} set to {@code value}, still fails with
     * {@code message}.
     */
    private static void assertNoSettingsButAMisspeltOneFails(Map<String, String> env, String misspelt, String value,
                                                             String message) {
        assertThat(Settings.fromEnvironment(env).kafka()).isEqualTo(Settings.defaults().kafka());
        Map<String, String> withMisspelt = new HashMap<>(env);
        withMisspelt.put(misspelt, value);
        assertThatThrownBy(() -> Settings.fromEnvironment(withMisspelt)).hasMessage(message);
    }

    @Test
    void aServiceLinkThatTakesTheNameHttpPortSaysSo() {
        // Kubernetes sets HTTP_PORT for a Service named http: a setting of ours, which it cannot be.
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("HTTP_PORT", "tcp://10.0.0.11:80")))
                .hasMessage("HTTP_PORT must be a port number (0: any free port), got 'tcp://10.0.0.11:80', which is what"
                        + " Kubernetes sets for a Service named http: rename that Service, or set enableServiceLinks: false"
                        + " in the pod's spec.");
    }

    @Test
    void anUnknownTopicVariableOrABadTopicNameFails() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("TOPIC_SNAPSHOT", "x")))
                .hasMessage("Unknown setting TOPIC_SNAPSHOT: the topic settings are TOPIC_JOBS, TOPIC_COMMANDS,"
                        + " TOPIC_PROGRESS, TOPIC_SNAPSHOTS, TOPIC_STATE, TOPIC_ERRORS, TOPIC_DLQ.");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("TOPIC_ERRORS", "bad name")))
                .hasMessage("TOPIC_ERRORS must be a Kafka topic name (letters, digits, '.', '_', '-'), got 'bad name'.");
    }

    @Test
    void earlyCommitsTakeTheirAgeAndGapAndWakeTheStreamThreadAsOftenAsTheGap() {
        Settings defaults = Settings.defaults();
        assertThat(defaults.freshCommits()).isEqualTo(
                new FreshCommits(Settings.DEFAULT_COMMIT_WHEN_FRESH, Settings.DEFAULT_COMMIT_WHEN_FRESH_MIN_GAP));

        Settings on = Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH", "50ms", "COMMIT_WHEN_FRESH_MIN_GAP", "5ms"));
        assertThat(on.freshCommits()).isEqualTo(new FreshCommits(Duration.ofMillis(50), Duration.ofMillis(5)));
        assertThat(on.kafka().getProperty("poll.ms")).as("an answer left pending waits at most the gap").isEqualTo("5");
        assertThat(Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH", "50ms", "KAFKA_POLL_MS", "20"))
                .kafka().getProperty("poll.ms")).as("as set").isEqualTo("20");

        assertThat(defaults.freshCommits().enabled()).as("on by default").isTrue();
        assertThat(defaults.kafka().getProperty("poll.ms")).isEqualTo("10");

        Settings off = Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH", "off"));
        assertThat(off.freshCommits().enabled()).isFalse();
        assertThat(off.kafka().getProperty("poll.ms")).as("Kafka Streams' own").isNull();
        assertThat(Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH", "0")).freshCommits().enabled()).isFalse();
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH", "soon")))
                .hasMessageStartingWith("COMMIT_WHEN_FRESH must be a positive duration");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("COMMIT_WHEN_FRESH_MIN_GAP", "-1ms")))
                .hasMessageStartingWith("COMMIT_WHEN_FRESH_MIN_GAP must be a positive duration");
    }

    @Test
    void theProducerRetriesSoonUnlessARetryBackoffIsSet() {
        assertThat(Settings.defaults().kafka().getProperty("producer.retry.backoff.ms")).isEqualTo("5");
        assertThat(Settings.fromEnvironment(Map.of("KAFKA_RETRY_BACKOFF_MS", "200")).kafka())
                .doesNotContainKey("producer.retry.backoff.ms").containsEntry("retry.backoff.ms", "200");
        assertThat(Settings.fromEnvironment(Map.of("KAFKA_PRODUCER_RETRY_BACKOFF_MS", "50")).kafka())
                .containsEntry("producer.retry.backoff.ms", "50");
    }

    @Test
    void limitsAndRetentionAreConfigurable() {
        Settings settings = Settings.fromEnvironment(Map.of(
                "RESET_LIMIT", "10", "RESET_WINDOW", "5m", "REPLAY_RETENTION", "PT36H"));

        assertThat(settings.rateLimit()).isEqualTo(new RateLimit(10, Duration.ofMinutes(5)));
        assertThat(settings.replayRetention()).isEqualTo(Duration.ofHours(36));
    }

    @Test
    void jobQueriesHaveNoTokenUnlessOneOfSixteenCharactersOrMoreIsSet() {
        assertThat(Settings.defaults().http().authToken()).isNull();
        assertThat(Settings.fromEnvironment(Map.of("HTTP_AUTH_TOKEN", " ")).http().authToken()).isNull();
        Settings.Http http = Settings.fromEnvironment(Map.of("HTTP_AUTH_TOKEN", "0123456789abcdef")).http();
        assertThat(http.authToken()).isEqualTo("0123456789abcdef");
        assertThat(http.toString()).doesNotContain("0123456789abcdef");
        for (String bad : new String[] {"secret", "0123456789abcdé0", "0123456789 abcdef"}) {
            assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("HTTP_AUTH_TOKEN", bad)))
                    .hasMessage("HTTP_AUTH_TOKEN must be at least 16 visible ASCII characters (a random one: openssl rand -hex 32).");
        }
    }

    @Test
    void theHttpInterfaceListensOnPort8080ByDefaultAndCanBeMovedOrTurnedOff() {
        assertThat(Settings.defaults().http()).isEqualTo(new Settings.Http(true, "0.0.0.0", 8080, null));
        assertThat(Settings.fromEnvironment(Map.of("HTTP_ENABLED", "false", "HTTP_HOST", "127.0.0.1", "HTTP_PORT", "9000"))
                .http()).isEqualTo(new Settings.Http(false, "127.0.0.1", 9000, null));
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("HTTP_ENABLED", "maybe")))
                .hasMessage("HTTP_ENABLED must be true or false, got 'maybe'.");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("HTTP_PORT", "70000")))
                .hasMessage("HTTP_PORT must be a port number (0: any free port), got '70000'.");
    }

    @Test
    void durationsAcceptShortAndIsoForms() {
        assertThat(Settings.duration(Map.of("D", "500ms"), "D", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(Settings.duration(Map.of("D", "60s"), "D", null)).isEqualTo(Duration.ofSeconds(60));
        assertThat(Settings.duration(Map.of("D", "24h"), "D", null)).isEqualTo(Duration.ofHours(24));
        assertThat(Settings.duration(Map.of("D", "1d"), "D", null)).isEqualTo(Duration.ofDays(1));
        assertThat(Settings.duration(Map.of("D", "pt1m"), "D", null)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void badLimitsFailNamingTheSetting() {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("RESET_LIMIT", "0")))
                .hasMessage("RESET_LIMIT must be a whole number from 1 to 1000 (to allow more resets a second, shorten"
                        + " RESET_WINDOW), got '0'.");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("RESET_LIMIT", "1001")))
                .hasMessage("RESET_LIMIT must be a whole number from 1 to 1000 (to allow more resets a second, shorten"
                        + " RESET_WINDOW), got '1001'.");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("RESET_WINDOW", "a minute")))
                .hasMessage("RESET_WINDOW must be a positive duration such as 500ms, 60s, 5m, 24h, 1d or PT24H, got 'a minute'.");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("REPLAY_RETENTION", "0s")))
                .hasMessageStartingWith("REPLAY_RETENTION must be a positive duration");
    }

    @Test
    void aPropertiesFileSetsKafkaPropertiesAndTheEnvironmentWins(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                bootstrap.servers=file-broker:9092
                security.protocol=SSL
                ssl.truststore.location=/etc/kafka/truststore.jks
                """);

        Settings settings = Settings.fromEnvironment(Map.of(
                "CONFIG_FILE", file.toString(), "KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092"));

        assertThat(settings.kafka())
                .containsEntry("bootstrap.servers", "env-broker:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.jks");
    }

    @Test
    void aMissingOrWrongPropertiesFileFailsNamingIt(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("CONFIG_FILE", dir.resolve("nope").toString())))
                .hasMessageStartingWith("CONFIG_FILE: cannot read " + dir.resolve("nope"));
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "bootstrap.servrs=x:9092\n");
        assertThatThrownBy(() -> Settings.fromEnvironment(Map.of("CONFIG_FILE", file.toString())))
                .hasMessage("Unknown setting CONFIG_FILE " + file + ": property bootstrap.servrs:"
                        + " not a Kafka Streams, consumer, producer, admin or topic property.");
    }
}
