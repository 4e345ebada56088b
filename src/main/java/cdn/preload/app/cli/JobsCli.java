package cdn.preload.app.cli;

import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.config.Settings;
import cdn.preload.domain.Job;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Loads jobs into the jobs topic, or deletes one, as the control plane would; lists a site's jobs. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Publishes jobs to the jobs topic (put), deletes one with a tombstone (delete), lists a site's jobs"
                + " (list).",
        subcommands = {JobsCli.Put.class, JobsCli.Delete.class, JobsListCli.class})
final class JobsCli {
    /** Reads one element of a document, so what follows it is not an error. */
    private static final ObjectReader ELEMENTS =
            Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A job as read from the input, with where it started, for messages. */
    private record Read(Job job, JsonNode document, String where) {
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Publishes one job (a JSON object) or several (a JSON array of objects), keyed by their Id.",
                "Every job is checked first; if any is invalid, it is reported with its position and nothing is sent."})
    static final class Put extends KafkaCommand {
        @Option(names = "--generation", paramLabel = "G",
                description = "The generation the jobs' counters were computed in, sent as the header preload.generation,"
                        + " as a control plane that mirrors its jobs does. Without it, 0. A stored job takes the other fields"
                        + " in any case, the counters only from its current generation; a generation ahead of the job's is"
                        + " refused (dead letter).")
        private Long generation;

        @Parameters(paramLabel = "FILE", description = "A JSON file, or - for standard input.")
        private String file;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = out();
            PrintWriter err = err();
            List<Read> read = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            if (generation != null && generation < 0) {
                problems.add("--generation must be at least 0, got " + generation + ".");
            }
            try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
                readJobs(in.readAllBytes(), read, problems);
            } catch (java.nio.file.NoSuchFileException e) {
                err.println("Error: no such file: " + file);
                return 1;
            }
            if (!problems.isEmpty()) {
                problems.forEach(problem -> err.println("Error: " + problem));
                err.println("Nothing was sent.");
                return 1;
            }
            Settings settings = settings();
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
                for (Read job : read) {
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(settings.topics().jobs(),
                            job.job().id().getBytes(StandardCharsets.UTF_8), Json.MAPPER.writeValueAsBytes(job.document()));
                    if (generation != null) {
                        record.headers().add(Topics.GENERATION_HEADER, generation.toString().getBytes(StandardCharsets.US_ASCII));
                    }
                    ResetCli.send(producer, record);
                }
            }
            out.println("Published " + read.size() + (read.size() == 1 ? " job" : " jobs") + " to " + settings.topics().jobs()
                    + (generation == null ? "" : " with " + Topics.GENERATION_HEADER + " " + generation) + ".");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Deletes a job: publishes a tombstone (null value) keyed by its Id.")
    static final class Delete extends KafkaCommand {



        @Parameters(paramLabel = "ID", description = "The job's Id (24 lower-case hex digits).")
        private String id;

        @Override
        public Integer call() {
            if (!JobId.isValid(id)) {
                err().println("Error: '" + id + "' is not a job Id (24 lower-case hexadecimal digits).");
                return 1;
            }
            Settings settings = settings();
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(settings)) {
                ResetCli.send(producer, new ProducerRecord<>(settings.topics().jobs(), id.getBytes(StandardCharsets.UTF_8), null));
            }
            out().println("Deleted job " + id + " (tombstone on " + settings.topics().jobs() + ").");
            return 0;
        }
    }

    /** Reads one object or an array of objects; each must be a valid Job with a well-formed Id. */
    static void readJobs(byte[] json, List<Read> jobs, List<String> problems) throws IOException {
        try (JsonParser parser = Json.MAPPER.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                readJob(parser, "the job", jobs, problems);
            } else if (first == JsonToken.START_ARRAY) {
                int index = 0;
                for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                    index++;
                    if (token != JsonToken.START_OBJECT) {
                        problems.add("job " + index + " " + at(parser.currentTokenLocation()) + ": not a JSON object");
                        parser.skipChildren();
                    } else {
                        readJob(parser, "job " + index, jobs, problems);
                    }
                }
            } else {
                problems.add("the input must be a JSON object or an array of objects " + at(parser.currentTokenLocation()));
                return;
            }
            if (parser.nextToken() != null) {
                problems.add("unexpected content after the jobs " + at(parser.currentTokenLocation()));
            }
        } catch (JsonProcessingException e) {
            problems.add("not valid JSON " + at(e.getLocation()) + ": " + e.getOriginalMessage());
        }
    }

    private static void readJob(JsonParser parser, String name, List<Read> jobs, List<String> problems) throws IOException {
        String where = name + " " + at(parser.currentTokenLocation());
        JsonNode document = ELEMENTS.readTree(parser);
        try {
            Job job = Json.MAPPER.treeToValue(document, Job.class);
            if (!JobId.isValid(job.id())) {
                problems.add(where + ": Id must be 24 lower-case hexadecimal digits, got " + document.get("Id"));
            } else {
                jobs.add(new Read(job, document, where));
            }
        } catch (JsonProcessingException e) {
            problems.add(where + ": " + e.getOriginalMessage());
        }
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : "(line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}
