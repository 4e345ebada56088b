package cdn.preload.app.cli;

import cdn.preload.app.http.HttpSetupException;
import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.app.runtime.KafkaSetupException;
import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.config.SettingsException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The jar's command line. Without a command it runs the processor; the commands talk to it
 * through Kafka as a user of the API would: reset a job and wait for the answer, load jobs,
 * report progress as a prefetch worker, follow the results and the jobs' states, create or check
 * the topics.
 */
@Command(name = "preload-job-processor", mixinStandardHelpOptions = true, version = "preload-job-processor 0.1.0",
        description = {
            "Performs ResetScheduledPreloadJob over Kafka.",
            "Without a command, runs the processor until SIGTERM or Ctrl-C. Every setting comes from the",
            "environment (KAFKA_<NAME>, TOPIC_*, RESET_LIMIT, RESET_WINDOW, REPLAY_RETENTION, CONFIG_FILE);",
            "see docs/CONFIGURATION.md."},
        subcommands = {ResetCli.class, JobsCli.class, ProgressCli.class, TailCli.class, TopicsCli.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (for reset: the job was reset)",
            "1:an error event (reset, jobs list), invalid input (nothing sent), a topic missing or different (topics), or the"
                + " processor failed",
            "2:usage error or invalid setting",
            "3:Kafka failed, or no answer within the timeout (commands only; jobs list: the HTTP interface did not"
                + " answer, or answered 503)"})
public final class Cli implements Callable<Integer> {
    /** A command's exit code when Kafka failed or no answer came in time: its input may well be right. */
    static final int KAFKA_FAILED = 3;

    final Map<String, String> env;

    Cli(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        return ProcessorApp.run(cdn.preload.config.Settings.fromEnvironment(env), () -> { });
    }

    /** Runs {@code args} with the given environment and output; returns the exit code. */
    public static int execute(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Cli(env));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, command, parsed) -> {
            // Expected failures are one clear line, not a stack trace.
            if (exception instanceof SettingsException) {
                err.println("Error: " + exception.getMessage());
                return 2;
            }
            if (exception instanceof KafkaSetupException || exception instanceof HttpSetupException
                    || exception instanceof KafkaException) {
                err.println("Error: " + oneLine(exception));
                // The processor keeps its exit codes (1: it cannot run); a command says that Kafka failed.
                return command.getCommandSpec().userObject() instanceof Cli ? 1 : KAFKA_FAILED;
            }
            throw exception;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String oneLine(Exception exception) {
        if (exception instanceof org.apache.kafka.common.errors.TimeoutException) {
            return "no answer from the Kafka cluster within " + KafkaClients.CLIENT_TIMEOUT_MS / 1000
                    + " s; is it running, and is --bootstrap-servers right? (" + exception.getMessage() + ")";
        }
        return exception.getMessage();
    }
}
