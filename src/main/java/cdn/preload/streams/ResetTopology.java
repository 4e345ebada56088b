package cdn.preload.streams;

import cdn.preload.domain.CommandParser;
import cdn.preload.domain.Json;
import cdn.preload.domain.RateLimit;
import cdn.preload.domain.StoredJob;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.streams.state.Stores;

/**
 * The processor's topology, the same in production and in tests.
 *
 * <pre>
 * jobs-source ─▶ store-job ──────────────────────────────────────────────┐ (job store)
 * commands-source ─▶ check-command ─▶ route ─┬─ keyed by Id ─────────────▶ merge ─▶ reset-job ─▶ outcome ─┬─▶ snapshots-sink
 *                                            └─ other key ─▶ key-by-job-id ─▶ commands-by-job-id ─┘          └─▶ errors-sink
 * </pre>
 */
public final class ResetTopology {
    /** Jobs by Id, with their recent resets; its changelog is {@code <application.id>-jobs-changelog}. */
    public static final String JOB_STORE = "jobs";
    /**
     * Answers remembered for replays, each with its command's timestamp; its changelog is
     * {@code <application.id>-remembered-answers-changelog}.
     */
    public static final String ANSWER_STORE = "remembered-answers";
    /** Commands keyed by something other than their Id; topic {@code <application.id>-commands-by-job-id-repartition}. */
    public static final String REROUTE = "commands-by-job-id";

    private static final String ROUTE = "route-";
    private static final String BY_JOB_ID = "by-job-id";
    private static final String DIRECT = "direct";

    private ResetTopology() {
    }

    public static Topology build(Topics topics, RateLimit rateLimit, Duration replayRetention) {
        return build(topics, rateLimit, replayRetention, ResetObserver.NONE);
    }

    /** The topology, reporting each answer and dead letter to {@code observer} (metrics, logs). */
    public static Topology build(Topics topics, RateLimit rateLimit, Duration replayRetention, ResetObserver observer) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(jobStore());
        builder.addStateStore(answerStore());

        builder.stream(topics.jobs(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("jobs-source"))
                .process(() -> new JobStoreUpdater(observer), Named.as("store-job"), JOB_STORE, ANSWER_STORE);

        Map<String, KStream<byte[], Checked>> routes = builder
                .stream(topics.commands(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("commands-source"))
                .processValues(() -> new CommandChecker(observer), Named.as("check-command"))
                .split(Named.as(ROUTE))
                .branch(ResetTopology::needsRerouting, Branched.as(BY_JOB_ID))
                .defaultBranch(Branched.as(DIRECT));

        KStream<byte[], Checked> rerouted = routes.get(ROUTE + BY_JOB_ID)
                .selectKey((key, checked) -> ((Checked.Valid) checked).command().id().getBytes(StandardCharsets.US_ASCII), Named.as("key-by-job-id"))
                .repartition(Repartitioned.<byte[], Checked>as(REROUTE)
                        .withKeySerde(Serdes.ByteArray())
                        .withValueSerde(validCommandSerde()));

        long retentionMs = replayRetention.toMillis();
        Serde<Outcome> outcomeSerde = outcomeSerde();
        routes.get(ROUTE + DIRECT)
                .merge(rerouted, Named.as("merge"))
                .process(() -> new ResetProcessor(rateLimit, retentionMs, observer), Named.as("reset-job"), JOB_STORE, ANSWER_STORE)
                .split(Named.as("outcome-"))
                .branch((key, outcome) -> outcome.isSnapshot(), Branched.withConsumer(snapshots -> snapshots.to(
                        topics.snapshots(), Produced.with(Serdes.ByteArray(), outcomeSerde).withName("snapshots-sink")), "snapshot"))
                .defaultBranch(Branched.withConsumer(errors -> errors.to(
                        topics.errors(), Produced.with(Serdes.ByteArray(), outcomeSerde).withName("errors-sink")), "error"));

        return builder.build();
    }

    /**
     * A valid command must be looked up on its job's partition. One keyed by its Id already is
     * (the jobs and commands topics are co-partitioned); any other is re-keyed and repartitioned.
     * Rejected commands need no lookup and are answered where they are.
     */
    private static boolean needsRerouting(byte[] key, Checked checked) {
        return checked instanceof Checked.Valid valid && !isKeyOf(key, valid.command().id());
    }

    private static boolean isKeyOf(byte[] key, String id) {
        if (key == null || key.length != id.length()) {
            return false;
        }
        for (int i = 0; i < key.length; i++) {
            if (key[i] != id.charAt(i)) { // the Id is ASCII, checked before routing
                return false;
            }
        }
        return true;
    }

    /**
     * Without a record cache: a job changes at most a few times a minute (the rate limit), so a
     * cache would rarely save a write, and flushing it at each commit delayed every answer of that
     * commit (by about 20 ms at the median, measured in docs/PERFORMANCE.md).
     */
    private static StoreBuilder<KeyValueStore<String, StoredJob>> jobStore() {
        return Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(JOB_STORE), Serdes.String(), storedJobSerde())
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
    private static StoreBuilder<KeyValueStore<Bytes, byte[]>> answerStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ANSWER_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withCachingDisabled();
    }

    /** Only valid commands are rerouted; they travel as their JSON. */
    private static Serde<Checked> validCommandSerde() {
        Serializer<Checked> serializer = (topic, checked) -> Json.write(((Checked.Valid) checked).command());
        Deserializer<Checked> deserializer = (topic, bytes) -> new Checked.Valid(CommandParser.parse(bytes));
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** Outcomes are serialised by the processor, once; the sinks write the bytes as they are. */
    private static Serde<Outcome> outcomeSerde() {
        Serializer<Outcome> serializer = (topic, outcome) -> outcome.document();
        Deserializer<Outcome> deserializer = (topic, bytes) -> {
            throw new UnsupportedOperationException("outcomes are only written");
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
