package cdn.preload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages form a stack, each importing only from those below it: {@code domain} (what a job,
 * a command and a decision are: no Kafka), {@code streams} (the topology and how it stores jobs),
 * {@code config} (the settings), then {@code app} (the runnable jar) and {@code testkit} (the
 * library for users' tests), which know nothing of each other.
 */
class LayersTest {
    private static final Path MAIN = Path.of("src", "main", "java", "cdn", "preload");
    private static final Map<String, Set<String>> BELOW = Map.of(
            "domain", Set.of(),
            "streams", Set.of("domain"),
            "config", Set.of("domain", "streams"),
            "app", Set.of("domain", "streams", "config"),
            "testkit", Set.of("domain", "streams", "config"));
    private static final Pattern OWN_IMPORT = Pattern.compile("^import (?:static )?cdn\\.preload\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void eachPackageImportsOnlyFromThePackagesBelowIt() throws IOException {
        List<String> upward = new ArrayList<>();
        for (Path file : sources(MAIN)) {
            String layer = MAIN.relativize(file).getName(0).toString();
            assertThat(BELOW).as("the layer of " + file).containsKey(layer);
            Matcher imports = OWN_IMPORT.matcher(Files.readString(file));
            while (imports.find()) {
                String imported = imports.group(1);
                if (!imported.equals(layer) && !BELOW.get(layer).contains(imported)) {
                    upward.add(file + " imports from " + imported);
                }
            }
        }
        assertThat(upward).isEmpty();
    }

    @Test
    void theDomainImportsNothingFromKafka() throws IOException {
        List<String> kafka = new ArrayList<>();
        for (Path file : sources(MAIN.resolve("domain"))) {
            if (Files.readString(file).contains("import org.apache.kafka")) {
                kafka.add(file.toString());
            }
        }
        assertThat(kafka).isEmpty();
    }

    private static List<Path> sources(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> sources = files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
            assertThat(sources).as("sources under " + dir).isNotEmpty();
            return sources;
        }
    }
}
