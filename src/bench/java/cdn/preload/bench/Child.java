package cdn.preload.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A benchmarked application in a JVM of its own, so that its CPU time and memory are its own. */
final class Child implements AutoCloseable {
    static final String HEAP = "-Xmx512m";

    private final List<String> command;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    private Child(List<String> command, Map<String, String> env, Path log) {
        this.command = command;
        this.env = env;
        this.log = log;
    }

    /** The processor's jar, as users run it. */
    static Child jar(Path jar, Map<String, String> env, Path log, String... jvmOptions) {
        List<String> command = new ArrayList<>(List.of(java(), HEAP));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        return new Child(command, env, log);
    }

    /** A main class of the benchmark's own classpath. */
    static Child main(Class<?> main, Map<String, String> env, Path log) {
        return new Child(List.of(java(), HEAP, "-cp", System.getProperty("java.class.path"), main.getName()), env, log);
    }

    Child start() {
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().clear();
            builder.environment().putAll(env);
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU time (user and system) the process has used so far. */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The process's peak resident set size (VmHWM), in bytes; 0 where /proc is not there. */
    long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
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
    Map<String, Long> cpuByThread() {
        return cpuByThread(process.pid());
    }

    /** {@link #cpuByThread()} of any process. */
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

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, and wait for the exit. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
