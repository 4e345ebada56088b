package cdn.preload.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml cannot be run here (no Docker engine), so it is read and checked against topics/ and the contract. */
class ComposeFileTest {
    private final Map<String, Object> compose = load(Path.of("docker-compose.yml"));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) {
        try {
            return new Yaml().load(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> service(String name) {
        return (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
    }

    private Map<String, String> environment(String service) {
        Map<String, String> env = new HashMap<>();
        ((Map<?, ?>) service(service).get("environment")).forEach((k, v) -> env.put(k.toString(), v.toString()));
        return env;
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPublishedPortIsOnTheLoopbackInterfaceOnly() {
        List<String> published = new java.util.ArrayList<>();
        ((Map<String, Object>) compose.get("services")).values().forEach(service -> published.addAll(
                (List<String>) ((Map<String, Object>) service).getOrDefault("ports", List.of())));

        assertThat(published).containsExactlyInAnyOrder("127.0.0.1:9092:9092", "127.0.0.1:8080:8080");
    }

    @Test
    void kafkaIsTheOfficialImageAsOneKraftNodeReachableFromTheNetworkAndTheHost() {
        Map<String, Object> kafka = service("kafka");
        Map<String, String> env = environment("kafka");

        assertThat(kafka.get("image").toString()).startsWith("apache/kafka:4.");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).isEqualTo("INTERNAL://kafka:19092,EXTERNAL://localhost:9092");
        assertThat(kafka.get("ports")).isEqualTo(List.of("127.0.0.1:9092:9092"));
        assertThat(env).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    }

    @Test
    void topicsServiceCreatesTheTopicsOfTopicsFolderOnceKafkaIsHealthy() throws Exception {
        Map<String, Object> topics = service("topics");

        assertThat(topics.get("build")).isEqualTo(".");
        assertThat(topics.get("command")).isEqualTo(List.of("topics", "create"));
        assertThat(new picocli.CommandLine(new Cli(Map.of())).getSubcommands().get("topics").getSubcommands())
                .containsKey("create");
        assertThat(Files.readAllLines(Path.of("Dockerfile"))).anyMatch(line -> line.startsWith("ENTRYPOINT [")
                && line.endsWith("\"-jar\", \"/app/preload-job-processor.jar\"]"));
        assertThat(topics.get("depends_on").toString()).isEqualTo("{kafka={condition=service_healthy}}");
        Settings settings = Settings.fromEnvironment(environment("topics"));
        assertThat(TopicDefinitions.forTopics(settings.topics())).extracting(TopicDefinition::name)
                .containsExactlyElementsOf(TopicDefinitions.fromDirectory(Path.of("topics")).stream()
                        .map(TopicDefinition::name).toList());
    }

    @Test
    void processorAndTopicsServiceShareOneValidEnvironmentOfTheContractsVariables() {
        Map<String, String> env = environment("processor");
        // The processor's own: the token of job queries, from the host's environment (empty when unset).
        assertThat(env.remove("HTTP_AUTH_TOKEN")).isEqualTo("${HTTP_AUTH_TOKEN:-}");

        assertThat(environment("topics")).isEqualTo(env);
        assertThat(env.keySet()).allMatch(name -> name.startsWith("KAFKA_") || name.startsWith("TOPIC_"));
        assertThatCode(() -> Settings.fromEnvironment(env)).doesNotThrowAnyException();
        env.put("HTTP_AUTH_TOKEN", "");
        assertThatCode(() -> Settings.fromEnvironment(env)).as("as compose passes an unset token").doesNotThrowAnyException();
        assertThat(env).containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka:19092");
        assertThat(service("processor").get("depends_on").toString())
                .isEqualTo("{topics={condition=service_completed_successfully}}");
    }

    @Test
    void processorIsBuiltFromTheMultiStageDockerfileAndRunsAsANonRootUser() throws IOException {
        assertThat(service("processor").get("build")).isEqualTo(".");
        assertThat(service("processor").get("volumes").toString()).contains("/var/lib/preload-job-processor");
        List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));

        assertThat(dockerfile).filteredOn(line -> line.startsWith("FROM ")).hasSize(2);
        assertThat(dockerfile).contains("COPY topics ./topics", "USER app",
                "COPY --from=build /src/target/preload-job-processor.jar /app/preload-job-processor.jar");
        assertThat(dockerfile).noneMatch(line -> line.startsWith("USER root"));
    }
}
