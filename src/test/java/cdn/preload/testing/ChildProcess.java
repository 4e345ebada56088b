package cdn.preload.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A process that a test or a benchmark starts: its output (standard error with it, unless the
 * console is to have it) appended to a log file or kept in memory line by line, waited for with a
 * timeout, stopped with real signals, and destroyed with the processes it started when closed.
 */
public final class ChildProcess implements AutoCloseable {
    /** The exit code {@link Builder#run} reports for a command that could not be started, as a shell does. */
    public static final int NOT_STARTED = 127;
    /** The exit code {@link Builder#run} reports for a command that did not end in time (it was killed). */
    public static final int TIMED_OUT = -1;
    /** How long, once the process has exited, its output may take to be read to its end. */
    private static final Duration OUTPUT_END = Duration.ofSeconds(10);
    /** How long a process killed by {@link #close} or {@link #stop} may take to be gone. */
    private static final Duration KILLED = Duration.ofSeconds(30);

    /** How a command ended, and what it printed. */
    public record Result(int exitCode, String output) {
    }

    private final Process process;
    private final String description;
    private final Path log;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final Duration closeGrace;

    private ChildProcess(Process process, String description, Path log, Duration closeGrace) {
        this.process = process;
        this.description = description;
        this.log = log;
        this.closeGrace = closeGrace;
        if (log == null) {
            reader = new Thread(this::readOutput, "output of " + description);
            reader.setDaemon(true);
            reader.start();
        } else {
            reader = null;
        }
    }

    /** A child running {@code command}, with this JVM's environment and working directory. */
    public static Builder command(List<String> command) {
        return new Builder(command);
    }

    public static Builder command(String... command) {
        return command(List.of(command));
    }

    /** A child running the JVM this one runs on, with {@code arguments}. */
    public static Builder java(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(arguments);
        return command(command);
    }

    /** What to start, and how. */
    public static final class Builder {
        private final List<String> command;
        private Map<String, String> environment;
        private final Map<String, String> added = new HashMap<>();
        private final Set<String> removed = new HashSet<>();
        private Path log;
        private boolean errorsToConsole;
        private String input;
        private Duration closeGrace = Duration.ZERO;
        private String name;

        private Builder(List<String> command) {
            this.command = List.copyOf(command);
        }

        /** What messages call the child (by default, its command line). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The child's whole environment: nothing of this JVM's. */
        public Builder environment(Map<String, String> environment) {
            this.environment = new HashMap<>(environment);
            return this;
        }

        /** Variables added to the environment (this JVM's, or the one given). */
        public Builder env(Map<String, String> variables) {
            added.putAll(variables);
            return this;
        }

        /** A variable taken out of the environment. */
        public Builder withoutEnv(String name) {
            removed.add(name);
            return this;
        }

        /** Standard output and error appended to {@code log} (its folder created), instead of kept in memory. */
        public Builder logTo(Path log) {
            this.log = log;
            return this;
        }

        /** Standard error to this JVM's, so only standard output is kept. */
        public Builder errorsToConsole() {
            this.errorsToConsole = true;
            return this;
        }

        /** Text written to the child's standard input, which is then closed. */
        public Builder input(String input) {
            this.input = input;
            return this;
        }

        /**
         * How {@link ChildProcess#close} stops a child still running: SIGTERM, and SIGKILL if it has
         * not exited within {@code grace}. Zero (the default): SIGKILL at once.
         */
        public Builder closeGrace(Duration grace) {
            this.closeGrace = grace;
            return this;
        }

        public ChildProcess start() {
            try {
                return startOrThrow();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start " + String.join(" ", command), e);
            }
        }

        /**
         * Starts the command, waits up to {@code timeout} for it to end and returns how it ended: {@link
         * #NOT_STARTED} with the reason where it could not start, {@link #TIMED_OUT} where it did not end
         * in time (it is killed).
         */
        public Result run(Duration timeout) {
            ChildProcess child;
            try {
                child = startOrThrow();
            } catch (IOException e) {
                return new Result(NOT_STARTED, e.getMessage());
            }
            try (child) {
                if (!child.exitsWithin(timeout)) {
                    return new Result(TIMED_OUT, "timed out: " + command);
                }
                return new Result(child.exitCode(), child.output());
            }
        }

        private ChildProcess startOrThrow() throws IOException {
            ProcessBuilder builder = new ProcessBuilder(command);
            if (environment != null) {
                builder.environment().clear();
                builder.environment().putAll(environment);
            }
            builder.environment().putAll(added);
            removed.forEach(builder.environment()::remove);
            if (errorsToConsole) {
                builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            } else {
                builder.redirectErrorStream(true);
            }
            if (log != null) {
                Files.createDirectories(log.toAbsolutePath().getParent());
                builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            Process process = builder.start();
            // Its output is read from now on, so that a child that writes before it has read all its
            // input cannot block on a full pipe while we write.
            ChildProcess child = new ChildProcess(process, name != null ? name : String.join(" ", command), log, closeGrace);
            if (input != null) {
                try (OutputStream stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            return child;
        }
    }

    private void readOutput() {
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output.lines().forEach(lines::add);
        } catch (IOException | UncheckedIOException e) {
            lines.add("(output closed: " + e + ")");
        }
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The log file, or null where the output is kept in memory. */
    public Path log() {
        return log;
    }

    /**
     * Waits up to {@code timeout} for the process to exit: true if it has, and then its output is
     * read to its end (for at most 10 s more, in case a process it started still holds it open).
     */
    public boolean exitsWithin(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            if (reader != null) {
                reader.join(OUTPUT_END.toMillis());
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + description, e);
        }
    }

    /**
     * Waits up to {@code timeout} for the process to exit and returns its exit code; one that does
     * not exit in time is killed, and that is an assertion failure.
     */
    public int awaitExit(Duration timeout) {
        if (!exitsWithin(timeout)) {
            kill();
            throw new AssertionError(description + " did not exit within " + timeout.toSeconds() + " s; "
                    + (log != null ? "see " + log : "it printed:\n" + output()));
        }
        return process.exitValue();
    }

    /** The exit code of a process that has exited. */
    public int exitCode() {
        return process.exitValue();
    }

    /** The lines of output kept so far (none where they go to a log file). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public String output() {
        return String.join("\n", lines);
    }

    /** Whether a line of the output kept so far contains {@code text}. */
    public boolean printed(String text) {
        return lines.stream().anyMatch(line -> line.contains(text));
    }

    /** SIGTERM to the process alone, as a supervisor stops it; does not wait. Its output can still be read. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGTERM, then SIGKILL (with the processes it started) if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        terminate();
        if (!exitsWithin(grace)) {
            kill();
            exitsWithin(KILLED);
        }
    }

    /** SIGKILL to the process and to the processes it started; does not wait. */
    public void kill() {
        List<ProcessHandle> descendants = process.toHandle().descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    /** Stops a process still running, as {@link Builder#closeGrace} says, with the processes it started. */
    @Override
    public void close() {
        if (process.isAlive()) {
            if (closeGrace.isZero()) {
                kill();
                exitsWithin(KILLED);
            } else {
                stop(closeGrace);
            }
        }
    }
}
