package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.StoredJob;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's topology, the same in production and in tests.
 *
 * <pre>
 * jobs-source ─▶ check-job ─┬─ job-home ──────────────────────────────────────────▶ job-merge ─▶ store-job (job store)
 *                           ├─ job-elsewhere ─▶ jobs-by-id (repartition) ───────────┘
 *                           └─ job-dead-letter ─▶ jobs-dlq-sink
 * commands-source ─▶ check-command ─┬─ command-home ─────────────────────────────────▶ merge ─▶ reset-job ─▶ outcome-┬─▶ snapshots-sink
 *                                   ├─ command-elsewhere ─▶ commands-by-job-id (repartition) ─┘            └─▶ errors-sink
 *                                   ├─ command-refused ─▶ refused-sink (errors topic)
 *                                   └─ command-dead-letter ─▶ commands-dlq-sink
 * </pre>
 *
 * <p>A record keyed by its job Id on the partition where Kafka's default partitioner (murmur2)
 * places that Id is processed where it is; any other (placed by another client's partitioner, by
 * hand, keyed by something else, or not keyed) is re-routed there first, through a repartition topic
 * that the Java partitioner writes. So jobs and commands meet whatever produced them.
 */
public final class ResetTopology {
    /** Jobs by Id, with their recent resets; its changelog is {@code <application.id>-jobs-changelog}. */
    public static final String JOB_STORE = "jobs";
    /**
     * Answers remembered for replays, each with its command's timestamp; its changelog is
     * {@code <application.id>-remembered-answers-changelog}.
     */
    public static final String ANSWER_STORE = "remembered-answers";
    /** Commands not on their job's partition; topic {@code <application.id>-commands-by-job-id-repartition}. */
    public static final String REROUTE = "commands-by-job-id";
    /** Jobs not on their own partition; topic {@code <application.id>-jobs-by-id-repartition}. */
    public static final String JOB_REROUTE = "jobs-by-id";

    private static final String COMMAND = "command-";
    private static final String JOB = "job-";
    private static final String HOME = "home";
    private static final String ELSEWHERE = "elsewhere";

    private ResetTopology() {
    }

    /**
     * The topology for a TopologyTestDriver (one partition per topic, RocksDB stores, no observer).
     */
    public static Topology build(Topics topics, RateLimit rateLimit, Duration replayRetention) {
        return build(topics, rateLimit, replayRetention, TopicLayout.TEST_DRIVER,
                new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers(), ResetObserver.NONE);
    }

    /**
     * The topology for topics laid out as {@code layout} says, with stores from {@code stores} (Kafka
     * Streams' {@code dsl.store.suppliers.class}: RocksDB unless configured otherwise), reporting
     * each answer and dead letter to {@code observer} (metrics, logs).
     */
    public static Topology build(Topics topics, RateLimit rateLimit, Duration replayRetention, TopicLayout layout,
                                 DslStoreSuppliers stores, ResetObserver observer) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(jobStore(stores));
        builder.addStateStore(answerStore(stores));

        Map<String, KStream<byte[], CheckedJob>> jobs = builder
                .stream(topics.jobs(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("jobs-source"))
                .process(() -> new JobChecker(layout, observer), Named.as("check-job"))
                .split(Named.as(JOB))
                .branch((key, job) -> job instanceof DeadLetter, Branched.withConsumer(letters -> letters.to(
                        topics.deadLetters(), Produced.with(Serdes.ByteArray(), Encoded.<CheckedJob>serde())
                                .withName("jobs-dlq-sink")), "dead-letter"))
                .branch((key, job) -> ((CheckedJob.Change) job).elsewhere(), Branched.as(ELSEWHERE))
                .defaultBranch(Branched.as(HOME));
        KStream<byte[], CheckedJob> reroutedJobs = jobs.get(JOB + ELSEWHERE)
                .repartition(Repartitioned.<byte[], CheckedJob>as(JOB_REROUTE)
                        .withKeySerde(Serdes.ByteArray())
                        .withValueSerde(jobChangeSerde()));
        jobs.get(JOB + HOME)
                .merge(reroutedJobs, Named.as("job-merge"))
                .process(JobStoreUpdater::new, Named.as("store-job"), JOB_STORE, ANSWER_STORE);

        Map<String, KStream<byte[], Checked>> commands = builder
                .stream(topics.commands(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("commands-source"))
                .process(() -> new CommandChecker(layout, observer), Named.as("check-command"))
                .split(Named.as(COMMAND))
                .branch((key, checked) -> checked instanceof Checked.Refused, Branched.withConsumer(refused -> refused.to(
                        topics.errors(), Produced.with(Serdes.ByteArray(), Encoded.<Checked>serde())
                                .withName("refused-sink")), "refused"))
                .branch((key, checked) -> checked instanceof DeadLetter, Branched.withConsumer(letters -> letters.to(
                        topics.deadLetters(), Produced.with(Serdes.ByteArray(), Encoded.<Checked>serde())
                                .withName("commands-dlq-sink")), "dead-letter"))
                .branch((key, checked) -> ((Checked.Valid) checked).elsewhere(), Branched.as(ELSEWHERE))
                .defaultBranch(Branched.as(HOME));
        KStream<byte[], Checked> reroutedCommands = commands.get(COMMAND + ELSEWHERE)
                .repartition(Repartitioned.<byte[], Checked>as(REROUTE)
                        .withKeySerde(Serdes.ByteArray())
                        .withValueSerde(validCommandSerde()));

        long retentionMs = replayRetention.toMillis();
        commands.get(COMMAND + HOME)
                .merge(reroutedCommands, Named.as("merge"))
                .process(() -> new ResetProcessor(rateLimit, retentionMs, observer), Named.as("reset-job"), JOB_STORE, ANSWER_STORE)
                .split(Named.as("outcome-"))
                .branch((key, outcome) -> outcome.isSnapshot(), Branched.withConsumer(snapshots -> snapshots.to(
                        topics.snapshots(), Produced.with(Serdes.ByteArray(), Encoded.<Outcome>serde())
                                .withName("snapshots-sink")), "snapshot"))
                .defaultBranch(Branched.withConsumer(errors -> errors.to(
                        topics.errors(), Produced.with(Serdes.ByteArray(), Encoded.<Outcome>serde())
                                .withName("errors-sink")), "error"));

        return builder.build();
    }

    /**
     * Without a record cache: a job changes at most a few times a minute (the rate limit), so a
     * cache would rarely save a write, and flushing it at each commit delayed every answer of that
     * commit (by about 20 ms at the median, measured in docs/PERFORMANCE.md).
     */
    private static StoreBuilder<KeyValueStore<String, StoredJob>> jobStore(DslStoreSuppliers stores) {
        return Stores.keyValueStoreBuilder(
                        stores.keyValueStore(new DslKeyValueParams(JOB_STORE, false)), Serdes.String(), storedJobSerde())
                .withCachingDisabled();
    }

    /** Stored jobs in their binary form: see {@link StoredJob#toBytes()}. */
    private static Serde<StoredJob> storedJobSerde() {
        Serializer<StoredJob> serializer = (topic, job) -> job == null ? null : job.toBytes();
        Deserializer<StoredJob> deserializer = (topic, bytes) -> bytes == null ? null : StoredJob.fromBytes(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /**
     * A key-value store, not a window store: a lookup is one point read (a window store opens an
     * iterator on each of its segments), and under exactly-once it restores from its checkpoint
     * after a clean shutdown (the window store was rebuilt from its changelog at every start).
     * Expiry is the processor's: see {@link ResetProcessor}. Each answer is written once and looked
     * up by key, so a cache would only add work.
     */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> answerStore(DslStoreSuppliers stores) {
        return Stores.keyValueStoreBuilder(stores.keyValueStore(new DslKeyValueParams(ANSWER_STORE, false)),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
    }

    /** Only valid commands are re-routed; they travel as their JSON (the RequestId assigned, if it was). */
    private static Serde<Checked> validCommandSerde() {
        Serializer<Checked> serializer = (topic, checked) -> Json.write(((Checked.Valid) checked).command());
        Deserializer<Checked> deserializer = (topic, bytes) -> new Checked.Valid(CommandParser.parse(bytes), false);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** Only job changes are re-routed; a job travels as its JSON, a deletion as a tombstone. */
    private static Serde<CheckedJob> jobChangeSerde() {
        Serializer<CheckedJob> serializer = (topic, change) -> {
            Job job = ((CheckedJob.Change) change).job();
            return job == null ? null : Json.write(job);
        };
        Deserializer<CheckedJob> deserializer = (topic, bytes) ->
                new CheckedJob.Change(bytes == null ? null : Json.read(bytes, Job.class), false);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
