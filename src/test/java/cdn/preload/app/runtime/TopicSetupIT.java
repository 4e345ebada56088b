package cdn.preload.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.TopicLayout;
import cdn.preload.streams.Topics;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic creation from topics/ against a real broker: idempotent, and loud about a layout that differs. */
class TopicSetupIT {
    private static LocalKafka broker;
    private static Admin admin;
    private static Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("preload-topics-it");
        broker = TestBroker.startOwn(dir);
        admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.stop();
        }
        TestBroker.delete(dir);
    }

    private static List<TopicDefinition> fresh() {
        String suffix = "-" + UUID.randomUUID().toString().substring(0, 8);
        Topics defaults = Topics.DEFAULT;
        return TopicDefinitions.forTopics(new Topics(defaults.jobs() + suffix, defaults.commands() + suffix,
                defaults.progress() + suffix, defaults.snapshots() + suffix, defaults.state() + suffix,
                defaults.errors() + suffix, defaults.deadLetters() + suffix));
    }

    private static TopicDefinition role(List<TopicDefinition> definitions, String role) {
        return definitions.stream().filter(definition -> definition.role().equals(role)).findFirst().orElseThrow();
    }

    /**
     * Sets a topic's {@code max.message.bytes} and waits until the broker shows it: the controller
     * has the change when the request returns, and the broker that answers applies it a moment later
     * (for a topic created a moment ago, it may not even know the topic yet).
     */
    private static void setMaxMessageBytes(String topic, int bytes) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes)), AlterConfigOp.OpType.SET))))
                .all().get();
        Wait.atMost(Duration.ofSeconds(30), Duration.ofMillis(50)).alias(topic + " to show max.message.bytes " + bytes)
                .until(() -> maxMessageBytes(resource), Integer.toString(bytes)::equals);
    }

    /** The topic's {@code max.message.bytes} as the broker shows it; null while it does not know the topic. */
    private static String maxMessageBytes(ConfigResource topic) throws Exception {
        try {
            return admin.describeConfigs(List.of(topic)).all().get().get(topic).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
        }
    }

    @Test
    void missingTopicsAreCreatedOnceAndFoundTheSecondTime() {
        List<TopicDefinition> definitions = fresh();

        TopicSetup.Report first = TopicSetup.ensure(admin, definitions);
        TopicSetup.Report second = TopicSetup.ensure(admin, definitions);

        List<String> names = definitions.stream().map(TopicDefinition::name).toList();
        assertThat(first.created()).containsExactlyElementsOf(names);
        assertThat(first.ok()).isTrue();
        assertThat(second.created()).isEmpty();
        assertThat(second.existing()).containsExactlyElementsOf(names);
        assertThat(second.warnings()).isEmpty();
        assertThat(second.ok()).isTrue();
    }

    @Test
    void checkReportsMissingTopicsWithoutCreatingThem() {
        List<TopicDefinition> definitions = fresh();

        TopicSetup.Report report = TopicSetup.check(admin, definitions);

        assertThat(report.errors()).containsExactlyElementsOf(definitions.stream()
                .map(definition -> definition.name() + ": missing (" + definition.role() + " topic)").toList());
        assertThat(definitions).extracting(TopicDefinition::role)
                .containsExactly("jobs", "commands", "progress", "snapshots", "state", "errors", "dlq");
        assertThat(report.created()).isEmpty();
    }

    @Test
    void aTopicWithOtherPartitionsOrCleanupPolicyIsReportedAndLeftAlone() throws Exception {
        List<TopicDefinition> definitions = fresh();
        TopicDefinition jobs = role(definitions, TopicDefinitions.JOBS);
        TopicDefinition snapshots = role(definitions, TopicDefinitions.SNAPSHOTS);
        admin.createTopics(List.of(
                new NewTopic(jobs.name(), Optional.of(2), Optional.empty()).configs(Map.of("cleanup.policy", "delete")),
                new NewTopic(snapshots.name(), Optional.of(snapshots.partitions()), Optional.empty())
                        .configs(Map.of("cleanup.policy", "delete", "retention.ms", "1000")))).all().get();

        TopicSetup.Report report = TopicSetup.ensure(admin, definitions);

        assertThat(report.errors()).containsExactly(
                jobs.name() + ": has 2 partitions, topics/jobs.properties says " + jobs.partitions(),
                jobs.name() + ": cleanup.policy is delete, topics/jobs.properties says compact");
        assertThat(report.warnings()).containsExactly(
                snapshots.name() + ": retention.ms is 1000, topics/snapshots.properties says 604800000");
        assertThat(admin.describeTopics(List.of(jobs.name())).allTopicNames().get().get(jobs.name()).partitions())
                .hasSize(2);
    }

    @Test
    void readinessCallsAProblemOnlyWhatStopsTheProcessorAndWarnsOfWhatElseDiffersFromTopics() throws Exception {
        List<TopicDefinition> definitions = fresh();
        List<NewTopic> others = new ArrayList<>();
        for (String input : List.of(TopicDefinitions.JOBS, TopicDefinitions.COMMANDS, TopicDefinitions.PROGRESS)) {
            TopicDefinition topic = role(definitions, input);
            others.add(new NewTopic(topic.name(), Optional.of(12), Optional.empty()).configs(topic.configs()));
        }
        TopicDefinition snapshots = role(definitions, TopicDefinitions.SNAPSHOTS);
        Map<String, String> shortLived = new HashMap<>(snapshots.configs());
        shortLived.put("retention.ms", "1000");
        others.add(new NewTopic(snapshots.name(), Optional.of(snapshots.partitions()), Optional.empty()).configs(shortLived));
        admin.createTopics(others).all().get();
        TopicDefinition dlq = role(definitions, TopicDefinitions.DLQ);
        List<TopicDefinition> allButTheDlq = definitions.stream().filter(definition -> definition != dlq).toList();
        TopicSetup.ensure(admin, allButTheDlq);
        awaitDescribed(allButTheDlq);

        TopicSetup.Readiness startedWithTwelve = TopicSetup.readiness(admin, definitions, 12);
        TopicSetup.Readiness startedWithSix = TopicSetup.readiness(admin, definitions, 6);

        List<String> warnings = List.of(
                role(definitions, TopicDefinitions.JOBS).name() + ": has 12 partitions, topics/jobs.properties says 6",
                role(definitions, TopicDefinitions.COMMANDS).name() + ": has 12 partitions, topics/commands.properties says 6",
                role(definitions, TopicDefinitions.PROGRESS).name() + ": has 12 partitions, topics/progress.properties says 6",
                snapshots.name() + ": retention.ms is 1000, topics/snapshots.properties says 604800000");
        assertThat(startedWithTwelve).isEqualTo(new TopicSetup.Readiness(List.of(dlq.name() + ": missing (dlq topic)"), warnings));
        String restart = " partitions, the processor started with 6 (restart it once the jobs, commands and progress topics"
                + " have the same number)";
        assertThat(startedWithSix).isEqualTo(new TopicSetup.Readiness(List.of(dlq.name() + ": missing (dlq topic)",
                role(definitions, TopicDefinitions.JOBS).name() + ": has 12" + restart,
                role(definitions, TopicDefinitions.COMMANDS).name() + ": has 12" + restart,
                role(definitions, TopicDefinitions.PROGRESS).name() + ": has 12" + restart), warnings));
    }

    /** Waits until the broker that answers knows the topics (it learns of a new topic a moment after the controller). */
    private static void awaitDescribed(List<TopicDefinition> topics) {
        List<String> names = topics.stream().map(TopicDefinition::name).toList();
        Wait.atMost(Duration.ofSeconds(30), Duration.ofMillis(50)).alias("the broker to know " + names)
                .until(() -> admin.listTopics().names().get().containsAll(names));
    }

    @Test
    void theLayoutIsReadFromTheClusterAndEachLimitIsTheSmallerOfTopicAndProducer() throws Exception {
        List<TopicDefinition> definitions = fresh();
        TopicSetup.ensure(admin, definitions);
        setMaxMessageBytes(role(definitions, TopicDefinitions.ERRORS).name(), 65_536);
        // An input topic that takes less than the broker's default: re-routed records are kept as small.
        setMaxMessageBytes(role(definitions, TopicDefinitions.PROGRESS).name(), 500_000);

        TopicLayout layout = TopicSetup.layout(admin, definitions, 2_097_152);
        TopicLayout compressed = TopicSetup.layout(admin, definitions, 2_097_152, true);

        assertThat(layout).isEqualTo(new TopicLayout(role(definitions, TopicDefinitions.JOBS).partitions(), 65_536, 2_097_152,
                TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES, TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES, 500_000));
        assertThat(TopicSetup.layout(admin, definitions, 400_000).maxReroutedBytes()).as("the producer's limit").isEqualTo(400_000);
        assertThat(compressed.maxErrorBytes()).isEqualTo(65_536 - 655 - 1024);
    }

    @Test
    void theLayoutRefusesMissingTopicsInputsOfDifferentPartitionsAndOutputsTooSmallToAnswer() throws Exception {
        List<TopicDefinition> missing = fresh();
        assertThatThrownBy(() -> TopicSetup.layout(admin, missing, 2_097_152)).isInstanceOf(KafkaSetupException.class)
                .hasMessage("Missing topic(s) " + String.join(", ", missing.stream().map(TopicDefinition::name).toList())
                        + " (create the topics with: topics create).");

        for (String input : List.of(TopicDefinitions.COMMANDS, TopicDefinitions.PROGRESS)) {
            List<TopicDefinition> uneven = fresh();
            TopicDefinition jobs = role(uneven, TopicDefinitions.JOBS);
            String other = role(uneven, input).name();
            admin.createTopics(List.of(new NewTopic(other, Optional.of(3), Optional.empty()))).all().get();
            TopicSetup.ensure(admin, uneven);
            assertThatThrownBy(() -> TopicSetup.layout(admin, uneven, 2_097_152)).isInstanceOf(KafkaSetupException.class)
                    .hasMessage(jobs.name() + " has " + jobs.partitions() + " partitions and " + other + " has 3: they must"
                            + " have the same number, so that a job, its commands and its progress reports meet on one partition.");
        }

        List<TopicDefinition> tiny = fresh();
        TopicSetup.ensure(admin, tiny);
        String dlq = role(tiny, TopicDefinitions.DLQ).name();
        setMaxMessageBytes(dlq, 1000);
        assertThatThrownBy(() -> TopicSetup.layout(admin, tiny, 2_097_152)).isInstanceOf(KafkaSetupException.class)
                .hasMessage(dlq + " takes records of at most 1000 bytes (max.message.bytes 1000, the producer's"
                        + " max.request.size 2097152); the processor needs at least 16384.");
    }

    @Test
    void theLayoutRefusesSnapshotsOrStatesTopicsWithoutRoomForTheLargestJob() throws Exception {
        for (String role : List.of(TopicDefinitions.SNAPSHOTS, TopicDefinitions.STATE)) {
            List<TopicDefinition> definitions = fresh();
            TopicSetup.ensure(admin, definitions);
            String lowered = role(definitions, role).name();
            setMaxMessageBytes(lowered, 200_000);

            assertThatThrownBy(() -> TopicSetup.layout(admin, definitions, 2_097_152)).isInstanceOf(KafkaSetupException.class)
                    .hasMessage(lowered + " takes records of at most 200000 bytes (max.message.bytes 200000, the producer's"
                            + " max.request.size 2097152); the processor needs at least " + TopicLayout.MIN_JOB_OUTPUT_BYTES
                            + " (room for a job of 256 KiB, the largest the processor stores).");
        }
        List<TopicDefinition> definitions = fresh();
        TopicSetup.ensure(admin, definitions);
        assertThatThrownBy(() -> TopicSetup.layout(admin, definitions, 100_000)).as("the producer's limit too")
                .isInstanceOf(KafkaSetupException.class).hasMessageContaining("max.request.size 100000")
                .hasMessageContaining("room for a job of 256 KiB");
    }
}
