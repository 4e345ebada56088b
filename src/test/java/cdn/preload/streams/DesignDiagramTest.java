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

/** The drawing of the topology in docs/DESIGN.md is the topology: the same nodes, by the same names. */
class DesignDiagramTest {
    private static final Pattern NODE_NAME = Pattern.compile("[a-z][a-z-]*");

    @Test
    void theDesignPagesDiagramNamesEveryNodeOfTheTopologyAndNothingElse() throws IOException {
        Set<String> nodes = new TreeSet<>();
        TopologyDescription description = ResetTopology.build(Topics.DEFAULT, RateLimit.DEFAULT, Duration.ofHours(24))
                .describe();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            subtopology.nodes().forEach(node -> nodes.add(node.name()));
        }

        assertThat(namesIn(designDiagram())).isEqualTo(nodes);
    }

    /** The first code block of docs/DESIGN.md. */
    private static String designDiagram() throws IOException {
        String design = Files.readString(Path.of("docs/DESIGN.md"));
        int start = design.indexOf("```\n") + 4;
        return design.substring(start, design.indexOf("```", start));
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
