package cdn.preload.app.cli;

import cdn.preload.domain.Json;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jobs list}: asks a running processor's HTTP interface, which reads the index and asks the
 * other instances, so that the command line prints what the API answers, as fast.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists a site's jobs that an account owns (ListScheduledPreloadJobs), newest first, one page:"
                + " asks a running processor's HTTP interface (GET /jobs), with the token in the environment variable"
                + " HTTP_AUTH_TOKEN, and prints its answer. An error answer prints its error event and exits 1; no answer,"
                + " or 503 (an instance starting, moving partitions or not answering), exits 3.")
final class JobsListCli implements Callable<Integer> {
    private static final ObjectWriter PRETTY = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(names = "--site", required = true, paramLabel = "SITEID", description = "The site (SiteId).")
    private String site;

    @Option(names = "--uid", required = true, paramLabel = "ALIUID", description = "The account whose jobs are listed.")
    private String uid;

    @Option(names = "--from", paramLabel = "TIME",
            description = "Only jobs created at or after TIME: epoch milliseconds or an ISO 8601 time such as 2024-06-01T00:00:00Z.")
    private String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Only jobs created at or before TIME (as --from).")
    private String to;

    @Option(names = "--page", paramLabel = "N", description = "The page, from 1 (default 1).")
    private String page;

    @Option(names = "--size", paramLabel = "M", description = "Jobs a page holds, 1 to 500 (default 20).")
    private String size;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://localhost:8080",
            description = "The processor's HTTP interface (default: ${DEFAULT-VALUE}).")
    private String url;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String token = ((Cli) spec.root().userObject()).env.get("HTTP_AUTH_TOKEN");
        if (token == null || token.isBlank()) {
            err.println("Error: set HTTP_AUTH_TOKEN to the processor's token (bin/run prints the one it made).");
            return 2;
        }
        StringBuilder query = new StringBuilder();
        parameter(query, "SiteId", site);
        parameter(query, "AliUid", uid);
        parameter(query, "StartTime", millis("--from", from));
        parameter(query, "EndTime", millis("--to", to));
        parameter(query, "PageNumber", page);
        parameter(query, "PageSize", size);
        URI target;
        try {
            target = URI.create(url.replaceAll("/+$", "") + "/jobs?" + query);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--url': " + e.getMessage());
        }
        HttpResponse<String> answer;
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try {
            answer = client.send(HttpRequest.newBuilder(target).timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("Error: no answer from " + url + " (is the processor running, and is --url right?): " + e);
            return Cli.KAFKA_FAILED;
        }
        JsonNode document;
        try {
            document = Json.MAPPER.readTree(answer.body());
        } catch (IOException e) {
            document = null;
        }
        if (answer.statusCode() == 200 && document != null) {
            out.println(PRETTY.writeValueAsString(document));
            return 0;
        }
        if (document != null && document.has("Code")) { // an error event: the API's answer
            out.println(PRETTY.writeValueAsString(document));
            err.println(answer.statusCode() + " " + document.path("Code").asText());
            return 1;
        }
        err.println("Error: " + answer.statusCode() + " from " + url + ": "
                + (document != null && document.has("error") ? document.get("error").asText() : answer.body()));
        return answer.statusCode() == 503 ? Cli.KAFKA_FAILED : 1;
    }

    /** A time as epoch milliseconds: as given when it is a number, converted when it is an ISO 8601 time. */
    private String millis(String option, String time) {
        if (time == null || time.matches("-?\\d+")) {
            return time;
        }
        try {
            return Long.toString(Instant.parse(time).toEpochMilli());
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + time
                    + "' is neither epoch milliseconds nor an ISO 8601 time such as 2024-06-01T00:00:00Z");
        }
    }

    private static void parameter(StringBuilder query, String name, String value) {
        if (value != null) {
            query.append(query.isEmpty() ? "" : "&").append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
