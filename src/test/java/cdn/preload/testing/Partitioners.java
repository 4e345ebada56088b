package cdn.preload.testing;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.TopicLayout;
import java.util.zip.CRC32;

/**
 * Where producers put a keyed record: the Java client by murmur2, librdkafka and the clients built
 * on it (kcat, Python, Go, .NET, Node) by CRC32 ({@code consistent_random}, their default); and over
 * how many partitions, as {@code topics/} defines each topic. The one place tests and benchmarks
 * take these from.
 */
public final class Partitioners {
    private Partitioners() {
    }

    /** The Java client's default partitioner, the processor's own {@link TopicLayout#partitionOf}. */
    public static int murmur2(byte[] key, int partitions) {
        return TopicLayout.partitionOf(key, partitions);
    }

    public static int crc32(byte[] key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return (int) (crc.getValue() % partitions);
    }

    /** The partitions of the topic of {@code role} ({@link TopicDefinitions#ROLES}) as {@code topics/} defines it. */
    public static int partitionsOf(String role) {
        return TopicDefinitions.fromClasspath().stream().filter(definition -> definition.role().equals(role))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("Unknown topic role " + role)).partitions();
    }
}
