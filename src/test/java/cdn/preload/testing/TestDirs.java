package cdn.preload.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Folders for the tests' brokers and state stores: under {@code target/test-dirs}, which
 * {@code mvn clean} removes, rather than in the machine's temporary folder, where a test run left
 * them behind; and outside it, so that Kafka Streams does not warn that a state directory in an
 * OS temp folder may be cleared.
 */
public final class TestDirs {
    private static final Path ROOT = Path.of("target", "test-dirs").toAbsolutePath();

    private TestDirs() {
    }

    /** A new empty folder whose name begins with {@code prefix}. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(ROOT), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
