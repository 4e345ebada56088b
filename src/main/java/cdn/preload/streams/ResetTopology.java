package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.StoredJob;
import java.time.Duration;
import java.util.Arrays;
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
 * <p>docs/DESIGN.md draws it, every node by its name ({@code DesignDiagramTest} checks that
 * the drawing names every node of this topology and nothing else).
 *
 * <p>A record keyed by its job Id on the partition where Kafka's default partitioner (murmur2)
 * places that Id is processed where it is; any other (placed by another client's partitioner, by
 * hand, keyed by something else, or not keyed) is re-routed there first, through the repartition
 * topic, on the partition murmur2 gives the Id whatever partitioner the producer is configured with
 * ({@link KeyPartitioner}, as on every sink). So jobs, commands and progress reports meet whatever
 * produced them. Re-routed records share one topic, so that a task reads four partitions, not six.
 */
public final class ResetTopology {
    /** Jobs by Id, with their generation and recent resets; its changelog is {@code <application.id>-jobs-changelog}. */
    public static final String JOB_STORE = "jobs";
    /**
     * The stored jobs by site, account, creation time and Id, for lists ({@link JobIndex}); its
     * changelog is {@code <application.id>-jobs-by-site-changelog}.
     */
    public static final String JOB_INDEX = "jobs-by-site";
    /**
     * Answers remembered for replays, each with the time it was given; its changelog is
     * {@code <application.id>-remembered-answers-changelog}.
     */
    public static final String ANSWER_STORE = "remembered-answers";
    /**
     * Commands, jobs and progress reports not on their job's partition; topic
     * {@code <application.id>-commands-by-job-id-repartition}. The name is that of the version that
     * re-routed only commands, kept so that an upgrade leaves none of the records in it behind.
     */
    public static final String REROUTE = "commands-by-job-id";

    /** The name of the repartition topic ({@link #REROUTE}) of the application {@code applicationId}. */
    public static String rerouteTopic(String applicationId) {
        return applicationId + "-" + REROUTE + "-repartition";
    }

    private static final String COMMAND = "command-";
    private static final String JOB = "job-";
    private static final String PROGRESS = "progress-";
    private static final String REROUTED = "rerouted-";
    private static final String HOME = "home";
    private static final String ELSEWHERE = "elsewhere";
    private static final String DEAD_LETTER = "dead-letter";

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
        return build(topics, rateLimit, replayRetention, layout, stores, observer, FreshCommits.OFF);
    }

    /**
     * As above; an answer to a fresh command asks for a commit before the commit interval is over,
     * as {@code freshCommits} says, so that its caller does not wait for the interval.
     */
    public static Topology build(Topics topics, RateLimit rateLimit, Duration replayRetention, TopicLayout layout,
                                 DslStoreSuppliers stores, ResetObserver observer, FreshCommits freshCommits) {
        EarlyCommits earlyCommits = new EarlyCommits(freshCommits);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(jobStore(stores));
        builder.addStateStore(answerStore(stores));
        builder.addStateStore(indexStore(stores));

        Map<String, KStream<byte[], Checked>> jobs = builder
                .stream(topics.jobs(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("jobs-source"))
                .process(() -> new JobChecker(layout, observer, earlyCommits), Named.as("check-job"))
                .split(Named.as(JOB))
                .branch((key, checked) -> checked instanceof DeadLetter, Branched.withConsumer(letters ->
                        letters.to(topics.deadLetters(), written("jobs-dlq-sink")), DEAD_LETTER))
                .branch((key, checked) -> checked.elsewhere(), Branched.as(ELSEWHERE))
                .defaultBranch(Branched.as(HOME));

        Map<String, KStream<byte[], Checked>> commands = builder
                .stream(topics.commands(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("commands-source"))
                .process(() -> new CommandChecker(layout, observer, earlyCommits), Named.as("check-command"))
                .split(Named.as(COMMAND))
                .branch((key, checked) -> checked instanceof Checked.Refused, Branched.withConsumer(refused ->
                        refused.to(topics.errors(), written("refused-sink")), "refused"))
                .branch((key, checked) -> checked instanceof DeadLetter, Branched.withConsumer(letters ->
                        letters.to(topics.deadLetters(), written("commands-dlq-sink")), DEAD_LETTER))
                .branch((key, checked) -> checked.elsewhere(), Branched.as(ELSEWHERE))
                .defaultBranch(Branched.as(HOME));

        Map<String, KStream<byte[], Checked>> progress = builder
                .stream(topics.progress(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("progress-source"))
                .process(() -> new ProgressChecker(layout, observer), Named.as("check-progress"))
                .split(Named.as(PROGRESS))
                .branch((key, checked) -> checked instanceof DeadLetter, Branched.withConsumer(letters ->
                        letters.to(topics.deadLetters(), written("progress-dlq-sink")), DEAD_LETTER))
                .branch((key, checked) -> checked.elsewhere(), Branched.as(ELSEWHERE))
                .defaultBranch(Branched.as(HOME));

        Map<String, KStream<byte[], Checked>> rerouted = jobs.get(JOB + ELSEWHERE)
                .merge(commands.get(COMMAND + ELSEWHERE), Named.as("reroute"))
                .merge(progress.get(PROGRESS + ELSEWHERE), Named.as("reroute-progress"))
                .repartition(Repartitioned.<byte[], Checked>as(REROUTE)
                        .withKeySerde(Serdes.ByteArray())
                        .withValueSerde(new ReroutedSerde(topics))
                        .withStreamPartitioner(KeyPartitioner.INSTANCE::partitions))
                .split(Named.as(REROUTED))
                .branch((key, checked) -> checked instanceof Checked.JobChange, Branched.as("job"))
                .branch((key, checked) -> checked instanceof Checked.Progress, Branched.as("progress"))
                .defaultBranch(Branched.as("command"));

        KStream<byte[], Encoded> stored = jobs.get(JOB + HOME)
                .merge(rerouted.get(REROUTED + "job"), Named.as("job-merge"))
                .process(() -> new JobStoreUpdater(replayRetention, layout, observer), Named.as("store-job"),
                        JOB_STORE, ANSWER_STORE, JOB_INDEX);

        KStream<byte[], Encoded> applied = progress.get(PROGRESS + HOME)
                .merge(rerouted.get(REROUTED + "progress"), Named.as("progress-merge"))
                .process(() -> new ProgressProcessor(replayRetention, layout, observer), Named.as("apply-progress"),
                        JOB_STORE, ANSWER_STORE);

        Map<String, KStream<byte[], Encoded>> outcomes = commands.get(COMMAND + HOME)
                .merge(rerouted.get(REROUTED + "command"), Named.as("merge"))
                .process(() -> new ResetProcessor(rateLimit, replayRetention, observer, earlyCommits), Named.as("reset-job"),
                        JOB_STORE, ANSWER_STORE)
                .split(Named.as("outcome-"))
                .branch((key, written) -> written instanceof Outcome outcome && outcome.isSnapshot(),
                        Branched.withConsumer(snapshots -> snapshots.to(topics.snapshots(), written("snapshots-sink")), "snapshot"))
                .branch((key, written) -> written instanceof Outcome, Branched.withConsumer(errors ->
                        errors.to(topics.errors(), written("errors-sink")), "error"))
                .defaultBranch(Branched.as("state"));

        // A job's state, from each of the three processors that change it; a dead letter, from the two
        // that find a generation ahead of the job's.
        stored.merge(applied, Named.as("owner-merge"))
                .split(Named.as("owner-"))
                .branch((key, written) -> written instanceof DeadLetter, Branched.withConsumer(letters ->
                        letters.to(topics.deadLetters(), written("ahead-dlq-sink")), DEAD_LETTER))
                .defaultBranch(Branched.withConsumer(states -> states
                        .merge(outcomes.get("outcome-state"), Named.as("state-merge"))
                        .to(topics.state(), written("state-sink")), "state"));

        return builder.build();
    }

    /**
     * A sink's settings: keys as they are, values as the bytes they hold ({@link Encoded}), each
     * record on the partition murmur2 gives its key ({@link KeyPartitioner}).
     */
    private static <V> Produced<byte[], V> written(String name) {
        return Produced.<byte[], V>as(name).withKeySerde(Serdes.ByteArray()).withValueSerde(Encoded.serde())
                .withStreamPartitioner(KeyPartitioner.INSTANCE);
    }

    /**
     * Without a record cache: a job changes at most a few times a minute (the rate limit), so a
     * cache would rarely save a write, and flushing it at each commit delayed every answer of that
     * commit (docs/PERFORMANCE.md).
     */
    private static StoreBuilder<KeyValueStore<String, StoredJob>> jobStore(DslStoreSuppliers stores) {
        return Stores.keyValueStoreBuilder(
                        stores.keyValueStore(new DslKeyValueParams(JOB_STORE, false)), Serdes.String(), StoredJobFormat.serde())
                .withCachingDisabled();
    }

    /**
     * Keys only (the values are empty), read by range; a job's entry changes only when its site,
     * account or creation time does, so a cache would rarely save a write.
     */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> indexStore(DslStoreSuppliers stores) {
        return Stores.keyValueStoreBuilder(stores.keyValueStore(new DslKeyValueParams(JOB_INDEX, false)),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
    }

    /**
     * A key-value store, not a window store: a lookup is one point read (a window store opens an
     * iterator on each of its segments), and under exactly-once it restores from its checkpoint
     * after a clean shutdown (the window store was rebuilt from its changelog at every start).
     * Its formats and expiry are {@link ReplayMemory}'s. Each answer is written once and looked
     * up by key, so a cache would only add work.
     */
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> answerStore(DslStoreSuppliers stores) {
        return Stores.keyValueStoreBuilder(stores.keyValueStore(new DslKeyValueParams(ANSWER_STORE, false)),
                        Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
    }
}
