package cdn.preload.bench;

import cdn.preload.testing.ChildProcess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmarked applications, each in a JVM of its own so that its CPU time and memory are its
 * own, and what they use: CPU time in all and by thread group, peak resident memory.
 */
final class BenchProcesses {
    static final String HEAP = "-Xmx512m";
    static final Path JAR = Path.of("target", "preload-job-processor.jar");
    /** A benchmarked application is stopped with SIGTERM, and killed if it has not exited within this. */
    private static final Duration STOP = Duration.ofSeconds(60);

    private BenchProcesses() {
    }

    /** The processor's jar, as users run it, with {@code env} as its whole environment and its output in {@code log}. */
    static ChildProcess.Builder jar(Map<String, String> env, Path log, String... jvmOptions) {
        List<String> arguments = new ArrayList<>(List.of(HEAP));
        arguments.addAll(List.of(jvmOptions));
        arguments.addAll(List.of("-jar", JAR.toString()));
        return ChildProcess.java(arguments).environment(env).logTo(log).closeGrace(STOP);
    }

    /** A main class of the benchmark's own classpath. */
    static ChildProcess.Builder main(Class<?> main, Map<String, String> env, Path log) {
        return ChildProcess.java(List.of(HEAP, "-cp", System.getProperty("java.class.path"), main.getName()))
                .environment(env).logTo(log).closeGrace(STOP);
    }

    /**
     * JVM options for the processor's drain and latency runs, e.g. an async-profiler agent or a GC log:
     * -Dbench.processor.jvm="-agentpath:...libasyncProfiler.so=start,event=itimer,file=... -Xlog:gc:file=..."
     */
    static List<String> processorJvm() {
        return List.of(System.getProperty("bench.processor.jvm", "").split(" ")).stream().filter(o -> !o.isBlank()).toList();
    }

    /** CPU time (user and system) the process has used so far. */
    static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** The process's peak resident set size (VmHWM), in bytes; 0 where /proc is not there. */
    static long peakRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or already gone
        }
        return 0;
    }

    /**
     * CPU time (user and system) so far by thread group, in milliseconds: thread names as Linux
     * keeps them (the first 15 characters), digits dropped, so that e.g. all GC threads are one
     * group. Empty where /proc is not there.
     */
    static Map<String, Long> cpuByThread(long pid) {
        Map<String, Long> groups = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat = Files.readString(task.resolve("stat"));
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
                String[] fields = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                groups.merge(name, ticks * 10, Long::sum); // USER_HZ is 100 on Linux
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or already gone
        }
        return groups;
    }

    /** CPU used by the benchmarked process and by the broker so far, in milliseconds, in all and by thread group. */
    record CpuSample(long process, Map<String, Long> threads, long broker, Map<String, Long> brokerThreads) {
        static CpuSample of(ChildProcess child, long brokerPid) {
            return new CpuSample(cpu(child.pid()).toMillis(), cpuByThread(child.pid()), cpu(brokerPid).toMillis(),
                    cpuByThread(brokerPid));
        }
    }
}
