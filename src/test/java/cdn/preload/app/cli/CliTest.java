package cdn.preload.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command line without a cluster: help, usage errors and invalid settings. */
class CliTest {

    record Run(int exitCode, String out, String err) {
    }

    /** A cluster that nothing listens for: a command that refuses its input never reaches for it. */
    private static final Map<String, String> UNREACHABLE = Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:1");

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
        assertThat(help.out()).contains("Without a command, runs the processor", "reset", "jobs", "progress", "tail", "topics",
                "Exit codes:", "2   usage error or invalid setting",
                "3   Kafka failed, or no answer within the timeout (commands only; jobs");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "reset;        --id=ID, --uid=ALIUID, --request-id=ID, --timeout=DURATION, --bootstrap-servers, preload.generation: G",
        "jobs put;     FILE, standard input, --bootstrap-servers, nothing is sent, --generation=G, header preload.generation",
        "jobs delete;  ID, tombstone, --bootstrap-servers",
        "jobs list;    --site=SITEID, --uid=ALIUID, --from=TIME, --to=TIME, --page=N, --size=M, --url=URL, HTTP_AUTH_TOKEN,"
                + " GET /jobs, 503",
        "progress;     --id=ID, --generation=G, --url-submitted=N, --task-submitted=N, --bootstrap-servers, tail --state,"
                + " nothing is sent, 2147483647",
        "tail;         --snapshots, --errors, --dlq, --state, --from-beginning, --limit=N, --bootstrap-servers, base64,"
                + " tombstone, Generation, compacted",
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
    void jobsListWithoutAnAnsweringProcessorExits3AndATimeThatIsNoTimeIsAUsageError() {
        Map<String, String> env = Map.of("HTTP_AUTH_TOKEN", "a-token-of-sixteen-chars");
        Run unreachable = cli(env, "jobs", "list", "--site", "1", "--uid", "u-1", "--url", "http://127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(3);
        assertThat(unreachable.err()).startsWith("Error: no answer from http://127.0.0.1:1 (is the processor running, and is --url right?)");

        Run notATime = cli(env, "jobs", "list", "--site", "1", "--uid", "u-1", "--from", "yesterday");
        assertThat(notATime.exitCode()).isEqualTo(2);
        assertThat(notATime.err()).startsWith("Invalid value for option '--from': 'yesterday' is neither epoch milliseconds"
                + " nor an ISO 8601 time");
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

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "--id nope --generation 1 --url-submitted 5 --task-submitted 3;"
                + " Error: 'nope' is not a job Id (24 lower-case hexadecimal digits).",
        "--id 665d3af3621bccf3fe29e1a4 --generation -1 --url-submitted 5 --task-submitted 3;"
                + " Error: --generation must be at least 0, got -1.",
        "--id 665d3af3621bccf3fe29e1a4 --generation 1 --url-submitted -5 --task-submitted 3;"
                + " Error: --url-submitted must be an integer from 0 to 2147483647 (int32), got -5.",
        "--id 665d3af3621bccf3fe29e1a4 --generation 1 --url-submitted 5 --task-submitted 2147483648;"
                + " Error: --task-submitted must be an integer from 0 to 2147483647 (int32), got 2147483648.",
    })
    void progressRefusesWhatTheProcessorWouldDeadLetterAndSendsNothing(String options, String error) {
        // No cluster: a report that reached for one would fail saying so.
        Run run = cli(UNREACHABLE, ("progress " + options).split(" "));

        assertThat(run).isEqualTo(new Run(1, "", error + "\n"));
    }

    @Test
    void progressReportsEveryProblemAtOnce() {
        Run run = cli(UNREACHABLE, "progress", "--id", "665D3AF3621BCCF3FE29E1A4", "--generation", "-2",
                "--url-submitted", "-1", "--task-submitted", "4294967296");

        assertThat(run).isEqualTo(new Run(1, "", """
                Error: '665D3AF3621BCCF3FE29E1A4' is not a job Id (24 lower-case hexadecimal digits).
                Error: --generation must be at least 0, got -2.
                Error: --url-submitted must be an integer from 0 to 2147483647 (int32), got -1.
                Error: --task-submitted must be an integer from 0 to 2147483647 (int32), got 4294967296.
                """));
    }

    @Test
    void progressWithANumberThatIsNotOneIsAUsageError() {
        Run run = cli(UNREACHABLE, "progress", "--id", "665d3af3621bccf3fe29e1a4", "--generation", "first",
                "--url-submitted", "1", "--task-submitted", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Invalid value for option '--generation': 'first' is not a long");
    }

    @Test
    void progressWithoutACounterIsAUsageError() {
        Run run = cli(UNREACHABLE, "progress", "--id", "665d3af3621bccf3fe29e1a4", "--generation", "1", "--url-submitted", "1");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Missing required option: '--task-submitted=N'");
    }

    @Test
    void resetRefusesARequestIdThatTheProcessorWouldNotEchoAndSendsNothing() {
        // The processor answers such a command under a RequestId of its own, which reset could never find.
        Run run = cli(UNREACHABLE, "reset", "--id", "665d3af3621bccf3fe29e1a4", "--uid", "u-1", "--request-id", "r".repeat(257));

        assertThat(run).isEqualTo(new Run(1, "", """
                Error: --request-id is longer than 256 characters, which the processor refuses (400 InvalidParameter).
                Nothing was sent.
                """));
    }

    @Test
    void resetRefusesEveryValueThatWouldMakeTheCommandUnparseableAtOnce() {
        Run run = cli(UNREACHABLE, "reset", "--id", "6".repeat(300), "--uid", "u-\uD800", "--request-id", "r".repeat(256));

        assertThat(run).isEqualTo(new Run(1, "", """
                Error: --id is longer than 256 characters, which the processor refuses (400 InvalidParameter).
                Error: --uid is not Unicode text: it has an unpaired surrogate, which the processor refuses (400 InvalidParameter).
                Nothing was sent.
                """));
    }

    @Test
    void jobsPutRefusesANegativeGenerationAndSendsNothing(@TempDir Path dir) throws IOException {
        Path job = Files.writeString(dir.resolve("job.json"), "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"u-1\"}");

        Run run = cli(UNREACHABLE, "jobs", "put", "--generation", "-1", job.toString());

        assertThat(run).isEqualTo(new Run(1, "", "Error: --generation must be at least 0, got -1.\nNothing was sent.\n"));
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Run run = cli(Map.of(), "restart");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Unmatched argument at index 0: 'restart'");
    }
}
