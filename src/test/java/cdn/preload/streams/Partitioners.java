package cdn.preload.streams;

import java.util.zip.CRC32;

/**
 * Where producers put a keyed record: the Java client by murmur2, librdkafka and the clients built
 * on it (kcat, Python, Go, .NET, Node) by CRC32 ({@code consistent_random}, their default).
 */
public final class Partitioners {
    private Partitioners() {
    }

    public static int murmur2(byte[] key, int partitions) {
        return TopicLayout.partitionOf(key, partitions);
    }

    public static int crc32(byte[] key, int partitions) {
        CRC32 crc = new CRC32();
        crc.update(key);
        return (int) (crc.getValue() % partitions);
    }
}
