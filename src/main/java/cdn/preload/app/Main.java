package cdn.preload.app;

import cdn.preload.app.cli.Cli;
import cdn.preload.app.runtime.ProcessorApp;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The jar's entry point: with no arguments, runs the processor until SIGTERM (or Ctrl-C), configured
 * from the environment; with arguments, runs a command of {@link Cli}.
 *
 * <p>Exit codes of the processor: 0 after a clean shutdown (SIGTERM: see {@link ProcessorApp#run}), 1
 * when the Streams client fails, does not close in time, or the topics are not usable, 2 for invalid
 * settings.
 * Bad input never throws; any exception (a store, the broker, a bug) is logged and shuts the client
 * down, and the process exits 1: a supervisor that restarts it resumes from the last committed
 * transaction, so nothing is lost, skipped or answered twice.
 */
public final class Main {
    private static final String KAFKA_LOG_LEVEL = "org.slf4j.simpleLogger.log.org.apache.kafka";

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && System.getProperty(KAFKA_LOG_LEVEL) == null) {
            // Commands print answers; the clients' connection warnings would only clutter them.
            System.setProperty(KAFKA_LOG_LEVEL, "error");
        }
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int exitCode = Cli.execute(args, System.getenv(), out, err);
        if (exitCode != 0) {
            System.exit(exitCode); // never with 0: after SIGTERM, exit() would wait forever on the shutdown hook
        }
    }
}
