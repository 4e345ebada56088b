package cdn.preload.bench;

import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.Job;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.ResetCommand;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.Topics;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The contract (docs: {@code SPEC.md}) as a first-time Kafka Streams user would write it from the
 * contract alone, with the DSL: a comparison for the benchmark, not a design. Jobs are a
 * {@code KTable} of the jobs topic; each command is re-keyed by its {@code Id} (always a
 * repartition), joined with the table, and answered by a processor with a key-value store of
 * each job's accepted reset times (the rate limit) and a window store of answers by (RequestId, Id,
 * AliUid), retained for the replay retention (replays). Every document, in and out and in the
 * stores, goes through Jackson databind. The topics, the rate limit, the replay retention and all
 * Streams settings (exactly-once, the timestamp extractor, ...) come from the same environment as
 * the processor's ({@link Settings}). Runs until SIGTERM.
 *
 * <p>The reset job is written back to the jobs topic, and the table takes it from there: what a
 * first-timer writes, since the table is the job state. Its caveats: the processor writes to an
 * input topic that the jobs' owner publishes (ACLs); each reset costs a record on the jobs topic,
 * its read-back and the table's changelog; until a write-back is read back the table holds the
 * job as it was, so a job update or deletion published meanwhile can be overwritten by a stale
 * write-back (a lost update, or a deleted job brought back). Consecutive resets give the same
 * answers either way, since a reset's result does not depend on the progress it zeroes.
 *
 * <p>Covered: steps 2 to 7 of the reset in the contract's order, with the catalogue's codes; replays
 * document for document within the retention; exactly-once. Skipped or different: an unparseable
 * command or job stops the application (the default handlers, as configured), with no 400, no
 * dead letter and no size limits; jobs are not re-routed (a job written by a non-murmur2 producer
 * is missed: 404), every command is; errors are keyed by the command's Id even when it is
 * invalid; a RequestId is assigned from the repartition topic's coordinates, not the commands
 * topic's; types are coerced (a number read as a string); a replay stamped before its first
 * answer is not found; no HTTP interface, no metrics.
 */
public final class NaiveDsl {
    static final String JOBS = "naive-jobs";
    static final String RESET_TIMES = "naive-reset-times";
    static final String ANSWERS = "naive-answers";
    /** The command re-keyed by Id: topic {@code <application.id>-naive-commands-by-id-repartition}. */
    static final String BY_ID = "naive-commands-by-id";

    /** Unknown fields ignored, as the contract says; otherwise the defaults. */
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{24}");

    private NaiveDsl() {
    }

    /** A command and its job as the table has it (null: none). */
    record CommandAndJob(ResetCommand command, Job job) {
    }

    /** What a command came to, as the window store remembers it: a snapshot of {@code job}, or {@code error}. */
    record Answer(String requestId, Job job, ErrorEvent error) {
    }

    /** An answer, and the job to write back to the jobs topic when it is a new accepted reset (else null). */
    record Outcome(Answer answer, Job reset) {
    }

    /** The accepted resets of a job within the rate limit's window, by record time. */
    record ResetTimes(List<Long> times) {
    }

    public static void main(String[] args) throws InterruptedException {
        Settings settings = Settings.fromEnvironment(System.getenv());
        Passthrough.runUntilTerminated(topology(settings), settings.kafka());
    }

    static Topology topology(Settings settings) {
        Topics topics = settings.topics();
        Duration retention = settings.replayRetention();
        StreamsBuilder builder = new StreamsBuilder();
        KTable<String, Job> jobs = builder.table(topics.jobs(), Consumed.with(Serdes.String(), json(Job.class)),
                Materialized.<String, Job, KeyValueStore<Bytes, byte[]>>as(JOBS)
                        .withKeySerde(Serdes.String()).withValueSerde(json(Job.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RESET_TIMES),
                Serdes.String(), json(ResetTimes.class)));
        builder.addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore(ANSWERS, retention, retention, false),
                json(ResetCommand.class), json(Answer.class)));

        KStream<String, Outcome> outcomes = builder
                .stream(topics.commands(), Consumed.with(Serdes.String(), json(ResetCommand.class)))
                .selectKey((key, command) -> command.id())
                .leftJoin(jobs, CommandAndJob::new,
                        Joined.with(Serdes.String(), json(ResetCommand.class), json(Job.class)).withName(BY_ID))
                .processValues(() -> new Reset(settings.rateLimit(), retention), RESET_TIMES, ANSWERS);
        outcomes.filter((id, outcome) -> outcome.answer().error() == null)
                .mapValues(outcome -> new Snapshot(outcome.answer().requestId(), outcome.answer().job()))
                .to(topics.snapshots(), Produced.with(Serdes.String(), json(Snapshot.class)));
        outcomes.filter((id, outcome) -> outcome.answer().error() != null)
                .mapValues(outcome -> outcome.answer().error())
                .to(topics.errors(), Produced.with(Serdes.String(), json(ErrorEvent.class)));
        outcomes.filter((id, outcome) -> outcome.reset() != null)
                .mapValues(Outcome::reset)
                .to(topics.jobs(), Produced.with(Serdes.String(), json(Job.class)));
        return builder.build();
    }

    /** The reset: the contract's checks in its order, against the joined job and the two stores. */
    static final class Reset implements FixedKeyProcessor<String, CommandAndJob, Outcome> {
        private final RateLimit limit;
        private final Duration retention;
        private FixedKeyProcessorContext<String, Outcome> context;
        private KeyValueStore<String, ResetTimes> resetTimes;
        private WindowStore<ResetCommand, Answer> answers;

        Reset(RateLimit limit, Duration retention) {
            this.limit = limit;
            this.retention = retention;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, Outcome> context) {
            this.context = context;
            resetTimes = context.getStateStore(RESET_TIMES);
            answers = context.getStateStore(ANSWERS);
        }

        @Override
        public void process(FixedKeyRecord<String, CommandAndJob> record) {
            ResetCommand command = record.value().command();
            Job job = record.value().job();
            long time = record.timestamp();
            if (command.requestId() == null) {
                command = command.withRequestId(assignedRequestId());
            }
            String requestId = command.requestId();
            if (command.id() == null || !JOB_ID.matcher(command.id()).matches()) {
                answer(record, new Answer(requestId, null, ErrorEvent.of(ErrorCode.INVALID_PARAMETER_OBJECT_ID, requestId,
                        command.id())), null);
                return;
            }
            try (WindowStoreIterator<Answer> remembered = answers.fetch(command, time - retention.toMillis(), time)) {
                if (remembered.hasNext()) {
                    answer(record, remembered.next().value, null); // a replay: nothing changes
                    return;
                }
            }
            Answer answer;
            Job reset = null;
            if (job == null) {
                answer = new Answer(requestId, null, ErrorEvent.of(ErrorCode.INVALID_JOB_NOT_FOUND, requestId, command.id()));
            } else if (command.aliUid() == null || !command.aliUid().equals(job.aliUid())) {
                answer = new Answer(requestId, null,
                        ErrorEvent.of(ErrorCode.INVALID_UID_PERMISSION_DENIED, requestId, command.id()));
            } else {
                List<Long> recent = new ArrayList<>();
                ResetTimes stored = resetTimes.get(command.id());
                for (long at : stored == null ? List.<Long>of() : stored.times()) {
                    if (at > time - limit.window().toMillis() && at <= time) {
                        recent.add(at);
                    }
                }
                if (recent.size() >= limit.maxResets()) {
                    answer = new Answer(requestId, null, ErrorEvent.of(ErrorCode.TOO_MANY_REQUESTS, requestId, command.id()));
                } else {
                    recent.add(time);
                    resetTimes.put(command.id(), new ResetTimes(recent));
                    reset = job.restarted();
                    answer = new Answer(requestId, reset, null);
                }
            }
            answers.put(command, answer, time);
            answer(record, answer, reset);
        }

        private void answer(FixedKeyRecord<String, CommandAndJob> record, Answer answer, Job reset) {
            context.forward(record.withValue(new Outcome(answer, reset)));
        }

        /** Stable across reprocessing: where the command sits (here, on the repartition topic). */
        private String assignedRequestId() {
            String position = context.recordMetadata().map(m -> m.topic() + '/' + m.partition() + '/' + m.offset()).orElseThrow();
            return UUID.nameUUIDFromBytes(position.getBytes(StandardCharsets.UTF_8)).toString();
        }
    }

    /** A serde that reads and writes {@code type} with databind. */
    static <T> Serde<T> json(Class<T> type) {
        return Serdes.serdeFrom((topic, value) -> {
            try {
                return value == null ? null : MAPPER.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new SerializationException("Cannot write " + type.getSimpleName(), e);
            }
        }, (topic, bytes) -> {
            try {
                return bytes == null ? null : MAPPER.readValue(bytes, type);
            } catch (IOException e) {
                throw new SerializationException("Not a " + type.getSimpleName(), e);
            }
        });
    }
}
