package cdn.preload.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line without a cluster: help, usage errors and invalid settings. */
class CliTest {

    record Run(int exitCode, String out, String err) {
    }

    private static Run cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.execute(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsEveryCommandAndSaysThatNoCommandRunsTheProcessor() {
        Run help = cli(Map.of(), "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Without a command, runs the processor", "reset", "jobs", "tail", "topics",
                "Exit codes:", "2   usage error, invalid setting, or timeout");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "reset;        --id=ID, --uid=ALIUID, --request-id=ID, --timeout=DURATION, --bootstrap-servers",
        "jobs put;     FILE, standard input, --bootstrap-servers, nothing is sent",
        "jobs delete;  ID, tombstone, --bootstrap-servers",
        "tail;         --snapshots, --errors, --dlq, --from-beginning, --limit=N, --bootstrap-servers, base64",
        "topics create; an existing topic is never, --bootstrap-servers",
        "topics check; missing, --bootstrap-servers",
    })
    void everyCommandHasCompleteHelp(String command, String mentions) {
        String[] args = (command + " --help").split(" ");

        Run help = cli(Map.of(), args);

        assertThat(help.exitCode()).isZero();
        for (String mention : mentions.split(", ")) {
            assertThat(help.out()).contains(mention.trim());
        }
    }

    @Test
    void aMissingOptionIsAUsageError() {
        Run run = cli(Map.of(), "reset", "--uid", "u-1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Missing required option: '--id=ID'");
    }

    @Test
    void aBadDurationIsAUsageError() {
        Run run = cli(Map.of(), "reset", "--id", "665d3af3621bccf3fe29e1a4", "--uid", "u-1", "--timeout", "soon");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--timeout': 'soon' is not a duration such as 500ms, 30s, 2m or PT30S");
    }

    @Test
    void anInvalidSettingIsOneLineNamingIt() {
        Run run = cli(Map.of("KAFKA_BOOTSTRAP_SERVER", "x:9092"), "topics", "check");

        assertThat(run).isEqualTo(new Run(2, "", "Error: Unknown setting KAFKA_BOOTSTRAP_SERVER (property bootstrap.server):"
                + " not a Kafka Streams, consumer, producer, admin or topic property.\n"));
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run run = cli(Map.of(), "restart");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Unmatched argument at index 0: 'restart'");
    }
}
