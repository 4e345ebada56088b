package cdn.preload.testing;

import cdn.preload.app.local.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One real Kafka broker for all the integration tests of a run: started on first use, on free
 * ports, in a fresh directory, and stopped when the test JVM exits, whether the tests pass or fail.
 */
public final class TestBroker {
    private static LocalKafka broker;

    private TestBroker() {
    }

    public static synchronized LocalKafka shared() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory("preload-it-broker");
                broker = LocalKafka.start(classpath(), dir, LocalKafka.freePort(), LocalKafka.freePort());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    broker.stop();
                    delete(dir);
                }, "stop-test-broker"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker;
    }

    /** A broker of the caller's own, in {@code dir}, on free ports: for tests that stop or kill it. */
    public static LocalKafka startOwn(Path dir) {
        return startOwn(dir, Map.of());
    }

    /** As above, with broker settings of the caller's own. */
    public static LocalKafka startOwn(Path dir, Map<String, String> settings) {
        return LocalKafka.start(classpath(), dir, LocalKafka.freePort(), LocalKafka.freePort(), settings);
    }

    /** The broker's classpath, as the build wrote it for the local run. */
    public static String classpath() {
        try {
            return Files.readString(Path.of("target", "broker.classpath")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("Run the build first (mvn verify writes target/broker.classpath)", e);
        }
    }

    public static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
