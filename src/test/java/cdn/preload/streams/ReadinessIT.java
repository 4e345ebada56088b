package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedSnapshot;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.Json;
import cdn.preload.streams.HttpApiIT.Reply;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.testing.RunTopics;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/ready} says whether this instance can do its work, whatever topics and permissions
 * an operator chose that the processor runs with: what only differs from {@code topics/} is a
 * warning in the answer, never a 503 (a rollout waits on readiness).
 */
class ReadinessIT {
    /** Every client of a PLAINTEXT listener is this principal. */
    private static final String ANONYMOUS = "User:ANONYMOUS";

    @Test
    void topicsWithTwelvePartitionsInsteadOfSixAreUsedAndReadinessWarnsThatTheyDiffer() {
        try (BrokerFixture fixture = new BrokerFixture(TestBroker.shared().bootstrapServers(), Map.of(),
                definition -> definition.partitions() == 6 ? new TopicDefinition(definition.role(), definition.name(), 12,
                        definition.replicationFactor(), definition.configs()) : definition)) {
            fixture.putJob(EXAMPLE_JOB);
            fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0());
            assertAnswered(fixture.answer(), "r-1");

            Reply ready = awaitReady(fixture);

            ObjectNode expected = Json.MAPPER.createObjectNode().put("status", "UP").put("state", "RUNNING")
                    .put("topics", "usable");
            for (TopicDefinition topic : TopicDefinitions.forTopics(fixture.topics())) {
                if (topic.partitions() == 6) {
                    expected.withArray("warnings").add(topic.name() + ": has 12 partitions, topics/" + topic.role()
                            + ".properties says 6");
                }
            }
            assertThat(expected.withArray("warnings")).hasSize(6);
            assertThat(ready.json()).isEqualTo(expected);
        }
    }

    /**
     * A real authorizer (KRaft's StandardAuthorizer) lets the processor's principal do everything
     * with its topics but read their configs, as an operator who skipped the README's
     * DescribeConfigs would.
     */
    @Test
    void aProcessorThatMayNotReadItsTopicsConfigsAnswersAndIsReady() throws Exception {
        Path dir = Files.createTempDirectory("preload-acl-broker");
        LocalKafka broker = TestBroker.startOwn(dir, Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found", "true"));
        try {
            Topics topics = RunTopics.suffixed(UUID.randomUUID().toString().substring(0, 8));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                List<AclBinding> acls = new ArrayList<>();
                for (TopicDefinition topic : TopicDefinitions.forTopics(topics)) {
                    ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, topic.name(), PatternType.LITERAL);
                    acls.add(new AclBinding(pattern, new AccessControlEntry(ANONYMOUS, "*", AclOperation.ALL,
                            AclPermissionType.ALLOW)));
                    acls.add(new AclBinding(pattern, new AccessControlEntry(ANONYMOUS, "*", AclOperation.DESCRIBE_CONFIGS,
                            AclPermissionType.DENY)));
                }
                admin.createAcls(acls).all().get();
                // The controller has them; the broker's authorizer applies them a moment later.
                Wait.atMost(BrokerFixture.WAIT, Duration.ofMillis(100)).alias("DescribeConfigs to be denied")
                        .until(() -> describeConfigsDenied(admin, topics.jobs()));
            }

            try (BrokerFixture fixture = new BrokerFixture(broker.bootstrapServers(), RunTopics.env(topics))) {
                fixture.putJob(EXAMPLE_JOB);
                fixture.reset("r-1", EXAMPLE_ID, EXAMPLE_UID, fixture.t0());
                assertAnswered(fixture.answer(), "r-1");

                Reply ready = awaitReady(fixture);

                assertThat(ready.json()).isEqualTo(json("{\"status\":\"UP\",\"state\":\"RUNNING\",\"topics\":\"usable\","
                        + "\"warnings\":[\"the topics' configs cannot be read (no DescribeConfigs permission), so they are"
                        + " not compared with topics/\"]}"));
            }
        } finally {
            broker.stop();
            TestBroker.delete(dir);
        }
    }

    /** Waits until readiness answers 200; the readiness check runs at start, then every 10 s. */
    private static Reply awaitReady(BrokerFixture fixture) {
        return Wait.atMost(BrokerFixture.WAIT, Duration.ofMillis(100)).alias("readiness to answer 200")
                .until(() -> HttpApiIT.get(fixture.http("/health/ready")), reply -> reply.status() == 200);
    }

    private static void assertAnswered(Answer answer, String requestId) {
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.key()).isEqualTo(EXAMPLE_ID);
        assertThat(answer.json()).isEqualTo(expectedSnapshot(requestId));
        assertThat(answer.generation()).isEqualTo("1");
    }

    private static boolean describeConfigsDenied(Admin admin, String topic) throws InterruptedException {
        try {
            admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof TopicAuthorizationException;
        }
    }
}
