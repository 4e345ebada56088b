package cdn.preload.config;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.streams.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicDefinitionsTest {
    private final List<TopicDefinition> definitions = TopicDefinitions.fromDirectory(Path.of("topics"));

    private TopicDefinition role(String role) {
        return definitions.stream().filter(d -> d.role().equals(role)).findFirst().orElseThrow();
    }

    @Test
    void topicsFolderNamesTheCodesDefaultTopics() {
        Topics defaults = Topics.DEFAULT;
        assertThat(definitions).extracting(TopicDefinition::name).containsExactly(
                defaults.jobs(), defaults.commands(), defaults.progress(), defaults.snapshots(), defaults.state(),
                defaults.errors(), defaults.deadLetters());
    }

    @Test
    void jobsAndStateAreCompactedAndEverythingElseIsDeletedAsTheContractSays() {
        assertThat(role("jobs").cleanupPolicy()).isEqualTo("compact");
        assertThat(role("state").cleanupPolicy()).isEqualTo("compact");
        for (String role : List.of("commands", "progress", "snapshots", "errors", "dlq")) {
            assertThat(role(role).cleanupPolicy()).as(role).isEqualTo("delete");
        }
    }

    @Test
    void jobsCommandsProgressAndStateHaveAsManyPartitions() {
        assertThat(role("jobs").partitions()).isEqualTo(role("commands").partitions())
                .isEqualTo(role("progress").partitions()).isEqualTo(role("state").partitions());
    }

    @Test
    void theJarCarriesTheSameDefinitionsAsTheFolder() {
        assertThat(TopicDefinitions.fromClasspath()).isEqualTo(definitions);
    }

    @Test
    void renamesApplyToTheDefinitions() {
        Topics renamed = new Topics("j", "c", "p", "s", "t", "e", "d");

        assertThat(TopicDefinitions.forTopics(renamed)).extracting(TopicDefinition::name)
                .containsExactly("j", "c", "p", "s", "t", "e", "d");
        assertThat(TopicDefinitions.forTopics(renamed).get(0).configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
    }
}
