package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.RateLimit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** The README's drawing of the topology is the topology: the same nodes, by the same names. */
class ReadmeDiagramTest {
    private static final Pattern NODE_NAME = Pattern.compile("[a-z][a-z-]*");

    @Test
    void theReadmesDiagramNamesEveryNodeOfTheTopologyAndNothingElse() throws IOException {
        Set<String> nodes = new TreeSet<>();
        TopologyDescription description = ResetTopology.build(Topics.DEFAULT, RateLimit.DEFAULT, Duration.ofHours(24))
                .describe();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            subtopology.nodes().forEach(node -> nodes.add(node.name()));
        }

        assertThat(namesIn(designDiagram())).isEqualTo(nodes);
    }

    /** The first code block of the README's Design section. */
    private static String designDiagram() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int design = readme.indexOf("\n## Design\n");
        int start = readme.indexOf("```\n", design) + 4;
        return readme.substring(start, readme.indexOf("```", start));
    }

    /** The names drawn, without the remarks in parentheses. */
    private static Set<String> namesIn(String diagram) {
        Set<String> names = new TreeSet<>();
        Matcher name = NODE_NAME.matcher(diagram.replaceAll("\\([^)]*\\)", ""));
        while (name.find()) {
            names.add(name.group());
        }
        return names;
    }
}
