package cdn.preload.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's stall times from Linux pressure stall information ({@code /proc/pressure}): how long
 * every runnable task was waiting for I/O ("full"), and how long some task was waiting for a CPU
 * ("some"). Zero where the kernel does not report them.
 */
record Pressure(long ioFullMicros, long cpuSomeMicros) {
    static Pressure now() {
        return new Pressure(total("io", "full"), total("cpu", "some"));
    }

    /** The stall times from {@code earlier} to this reading, in milliseconds: I/O full, CPU some. */
    long[] millisSince(Pressure earlier) {
        return new long[] {(ioFullMicros - earlier.ioFullMicros) / 1000, (cpuSomeMicros - earlier.cpuSomeMicros) / 1000};
    }

    private static long total(String resource, String kind) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/pressure", resource))) {
                if (line.startsWith(kind + " ")) {
                    return Long.parseLong(line.substring(line.indexOf("total=") + "total=".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not reported here: no figure
        }
        return 0;
    }
}
