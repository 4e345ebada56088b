package cdn.preload.app;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.TestBroker;
import cdn.preload.streams.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
                defaults.snapshots() + suffix, defaults.errors() + suffix, defaults.deadLetters() + suffix));
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

        assertThat(report.errors()).containsExactly(
                definitions.get(0).name() + ": missing (jobs topic)",
                definitions.get(1).name() + ": missing (commands topic)",
                definitions.get(2).name() + ": missing (snapshots topic)",
                definitions.get(3).name() + ": missing (errors topic)",
                definitions.get(4).name() + ": missing (dlq topic)");
        assertThat(report.created()).isEmpty();
    }

    @Test
    void aTopicWithOtherPartitionsOrCleanupPolicyIsReportedAndLeftAlone() throws Exception {
        List<TopicDefinition> definitions = fresh();
        TopicDefinition jobs = definitions.get(0);
        TopicDefinition snapshots = definitions.get(2);
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
}
