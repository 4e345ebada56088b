package cdn.preload.streams;

import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.StoredJob;
import cdn.preload.testing.RunTopics;
import cdn.preload.testing.TestBroker;
import cdn.preload.testing.TestDirs;
import cdn.preload.testing.Wait;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;

/**
 * The processor as production runs it ({@link ProcessorApp}, as main does) against a real broker, on topics
 * of its own created from {@code topics/}. Inputs are published synchronously; outputs are read
 * with {@code isolation.level=read_committed}, waiting on each with a deadline (Awaitility).
 */
final class BrokerFixture implements ProcessorHarness {
    static final Duration WAIT = Duration.ofSeconds(60);

    final Settings settings;
    /** The environment the processor was configured from; the command line takes the same. */
    final Map<String, String> env;
    private final Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
    private final Path stateDir;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Deque<ConsumerRecord<byte[], byte[]>>> received = new HashMap<>();
    private final List<TopicPartition> outputs = new ArrayList<>();
    private ProcessorApp app;
    private KafkaStreams streams;

    BrokerFixture(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** With {@code extraEnv} added to the processor's environment. */
    BrokerFixture(String bootstrapServers, Map<String, String> extraEnv) {
        this(bootstrapServers, extraEnv, UnaryOperator.identity());
    }

    /**
     * With the topics created as {@code asCreated} makes each definition of {@code topics/} (as an
     * operator may create them otherwise, say with more partitions).
     */
    BrokerFixture(String bootstrapServers, Map<String, String> extraEnv, UnaryOperator<TopicDefinition> asCreated) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        stateDir = TestDirs.create("preload-it-state");
        env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("KAFKA_APPLICATION_ID", "preload-it-" + suffix);
        env.put("KAFKA_STATE_DIR", stateDir.toString());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", "0");
        env.put("HTTP_AUTH_TOKEN", "token-of-" + env.get("KAFKA_APPLICATION_ID"));
        env.putAll(RunTopics.env(RunTopics.suffixed(suffix)));
        env.putAll(extraEnv);
        settings = Settings.fromEnvironment(env);
        List<TopicDefinition> created = TopicDefinitions.forTopics(settings.topics()).stream().map(asCreated).toList();
        try (Admin admin = Admin.create(settings.kafka())) {
            TopicSetup.Report report = TopicSetup.ensure(admin, created);
            if (!report.ok()) {
                throw new IllegalStateException(report.errors().toString());
            }
        }
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<String> outputRoles = List.of(TopicDefinitions.SNAPSHOTS, TopicDefinitions.STATE, TopicDefinitions.ERRORS,
                TopicDefinitions.DLQ);
        for (TopicDefinition output : created.stream()
                .filter(definition -> outputRoles.contains(definition.role())).toList()) {
            received.put(output.name(), new ArrayDeque<>());
            for (PartitionInfo partition : awaitPartitions(output)) {
                outputs.add(new TopicPartition(output.name(), partition.partition()));
            }
        }
        consumer.assign(outputs);
        consumer.seekToBeginning(outputs);
        startStreams();
    }

    /** Starts the processor, as main does, and waits until it is RUNNING. */
    void startStreams() {
        app = ProcessorApp.create(settings);
        streams = app.streams();
        app.start();
        await(() -> streams.state() == KafkaStreams.State.RUNNING, "the processor to be RUNNING");
    }

    KafkaStreams streams() {
        return streams;
    }

    /**
     * Waits until this processor and {@code others} (instances of the same application) have settled
     * after one of them joined or left: all RUNNING, each owning the partitions that every instance's
     * metadata says it owns, and the group stable with all their consumers. A join is two rebalances
     * under the cooperative protocol (the partitions that move are revoked in the first and assigned
     * in the second), and between them each instance may report RUNNING for a moment: only the
     * second's end is settled.
     */
    void awaitSettled(KafkaStreams... others) {
        List<KafkaStreams> instances = new ArrayList<>();
        instances.add(streams);
        instances.addAll(List.of(others));
        String group = settings.kafka().getProperty("application.id");
        try (Admin admin = Admin.create(settings.kafka())) {
            Wait.atMost(WAIT, Duration.ofMillis(100)).alias(instances.size() + " instances to settle")
                    .until(() -> settled(instances, admin, group));
        }
    }

    private static boolean settled(List<KafkaStreams> instances, Admin admin, String group) throws Exception {
        if (!instances.stream().allMatch(instance -> instance.state() == KafkaStreams.State.RUNNING)) {
            return false;
        }
        Set<Set<TopicPartition>> owned = new HashSet<>();
        int consumers = 0;
        for (KafkaStreams instance : instances) {
            Set<TopicPartition> partitions = new HashSet<>();
            for (ThreadMetadata thread : instance.metadataForLocalThreads()) {
                consumers++;
                thread.activeTasks().forEach(task -> partitions.addAll(task.topicPartitions()));
            }
            if (!partitions.isEmpty()) {
                owned.add(partitions);
            }
        }
        for (KafkaStreams instance : instances) {
            Set<Set<TopicPartition>> said = instance.metadataForAllStreamsClients().stream()
                    .map(StreamsMetadata::topicPartitions).filter(partitions -> !partitions.isEmpty())
                    .collect(Collectors.toSet());
            if (!said.equals(owned)) {
                return false;
            }
        }
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
        return description.groupState() == GroupState.STABLE && description.members().size() == consumers;
    }

    /** The processor's HTTP interface. */
    URI http(String path) {
        return URI.create("http://127.0.0.1:" + app.httpPort() + path);
    }

    /** {@code GET /jobs/{id}?AliUid=...} with the processor's token, as the job's account would ask. */
    URI job(String id, String aliUid) {
        return http("/jobs/" + id + "?AliUid=" + java.net.URLEncoder.encode(aliUid, StandardCharsets.UTF_8));
    }

    /** The bearer token job queries need. */
    String token() {
        return env.get("HTTP_AUTH_TOKEN");
    }

    /** Closes the processor as SIGTERM would; with {@code wipeState} its local stores are deleted too. */
    void stopStreams(boolean wipeState) {
        app.close();
        if (wipeState) {
            TestBroker.delete(stateDir);
        }
    }

    @Override
    public Instant t0() {
        return t0;
    }

    @Override
    public Topics topics() {
        return settings.topics();
    }

    @Override
    public Position putRawJob(byte[] key, byte[] value, Headers headers, Instant time) {
        return publishAt(topics().jobs(), null, key, value, headers, time);
    }

    @Override
    public Position reportRaw(byte[] key, byte[] value, Headers headers, Instant time) {
        return publishAt(topics().progress(), null, key, value, headers, time);
    }

    @Override
    public List<State> states(int count) {
        return take(topics().state(), count).stream().map(r -> State.of(r.key(), r.value())).toList();
    }

    /** Waits until the processor's committed offset of the record's partition is past it. */
    @Override
    public void awaitProcessed(Position position) {
        TopicPartition partition = new TopicPartition(position.topic(), position.partition());
        try (Admin admin = Admin.create(settings.kafka())) {
            Wait.atMost(WAIT, Duration.ofMillis(20)).alias("the processor to commit past " + position).until(() -> {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(settings.kafka().getProperty("application.id"))
                        .partitionsToOffsetAndMetadata().get().get(partition);
                return committed != null && committed.offset() > position.offset();
            });
        }
    }

    /** Reads the state topic to its last committed offset: true when no record was left unread. */
    @Override
    public boolean noMoreStates() {
        readToEnd(topics().state());
        return received.get(topics().state()).isEmpty();
    }

    @Override
    public Position send(byte[] key, byte[] value, Instant time) {
        return publish(topics().commands(), key, value, time);
    }

    private Position publish(String topic, byte[] key, byte[] value, Instant time) {
        return publishAt(topic, null, key, value, time);
    }

    /** Publishes to {@code partition} of {@code topic} (null: where the Java client's partitioner puts the key). */
    Position publishAt(String topic, Integer partition, byte[] key, byte[] value, Instant time) {
        return publishAt(topic, partition, key, value, new RecordHeaders(), time);
    }

    private Position publishAt(String topic, Integer partition, byte[] key, byte[] value, Headers headers, Instant time) {
        try {
            RecordMetadata written = producer.send(new ProducerRecord<>(topic, partition, time.toEpochMilli(), key, value,
                    headers)).get();
            return new Position(topic, written.partition(), written.offset());
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("Cannot publish to " + topic, e);
        }
    }

    /**
     * The one outcome produced since the last read: waits for the first, then reads both outcome
     * topics to their last committed offset, so that any other outcome committed by then is seen.
     */
    @Override
    public Answer answer() {
        Deque<ConsumerRecord<byte[], byte[]>> snapshots = received.get(topics().snapshots());
        Deque<ConsumerRecord<byte[], byte[]>> errors = received.get(topics().errors());
        await(() -> !snapshots.isEmpty() || !errors.isEmpty(), "an outcome");
        readToEnd(topics().snapshots(), topics().errors());
        List<Answer> all = new ArrayList<>();
        snapshots.forEach(record -> all.add(toAnswer(Answer.SNAPSHOT, record)));
        errors.forEach(record -> all.add(toAnswer(Answer.ERROR, record)));
        snapshots.clear();
        errors.clear();
        if (all.size() != 1) {
            throw new AssertionError("expected exactly one outcome, got " + all);
        }
        return all.get(0);
    }

    /** Reads {@code topics} up to their last committed offsets as they are now. */
    private void readToEnd(String... topics) {
        List<TopicPartition> partitions = outputs.stream().filter(p -> List.of(topics).contains(p.topic())).toList();
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions); // read_committed: the last stable offsets
        await(() -> ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue()),
                "the outcomes to be read to their last committed offset");
    }

    @Override
    public List<Answer> snapshots(int count) {
        return take(topics().snapshots(), count).stream().map(r -> toAnswer(Answer.SNAPSHOT, r)).toList();
    }

    @Override
    public List<Answer> errors(int count) {
        return take(topics().errors(), count).stream().map(r -> toAnswer(Answer.ERROR, r)).toList();
    }

    @Override
    public List<DeadLetter> deadLetters(int count) {
        return take(topics().deadLetters(), count).stream().map(BrokerFixture::deadLetter).toList();
    }

    /**
     * The job as the store holds it once the processor has committed all it processed: queries read
     * committed state, which follows a transaction's commit by a moment (the store commits its
     * buffer after the Kafka transaction), so this waits until the committed job is the one
     * processed.
     */
    @Override
    public StoredJob storedJob(String id) {
        StoredJob[] found = new StoredJob[1];
        await(() -> {
            Optional<StoredJob> processed = query(id, IsolationLevel.READ_UNCOMMITTED);
            Optional<StoredJob> committed = query(id, IsolationLevel.READ_COMMITTED);
            found[0] = committed == null ? null : committed.orElse(null);
            return processed != null && processed.equals(committed);
        }, "the job store to be queryable, and the job " + id + " committed as processed");
        return found[0];
    }

    /** The job, or none; null while the store cannot be queried (starting, rebalancing). */
    private Optional<StoredJob> query(String id, IsolationLevel isolation) {
        StateQueryResult<StoredJob> result = streams.query(StateQueryRequest.inStore(ResetTopology.JOB_STORE)
                .withQuery(KeyQuery.<String, StoredJob>withKey(id)).withIsolationLevel(isolation));
        if (result.getPartitionResults().isEmpty()) {
            return null;
        }
        StoredJob job = null;
        for (QueryResult<StoredJob> partition : result.getPartitionResults().values()) {
            if (partition.isFailure()) {
                return null;
            }
            if (partition.getResult() != null) {
                job = partition.getResult();
            }
        }
        return Optional.ofNullable(job);
    }

    private List<ConsumerRecord<byte[], byte[]>> take(String topic, int count) {
        Deque<ConsumerRecord<byte[], byte[]>> queue = received.get(topic);
        await(() -> queue.size() >= count, count + " records on " + topic);
        List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            taken.add(queue.poll());
        }
        return taken;
    }

    /**
     * A topic just created is unknown to the broker's metadata for a moment: ask until all its
     * partitions are there (each unanswered ask is a metadata request to the broker).
     */
    private List<PartitionInfo> awaitPartitions(TopicDefinition topic) {
        return Wait.atMost(WAIT, Duration.ZERO).alias("the " + topic.partitions() + " partitions of " + topic.name())
                .until(() -> consumer.partitionsFor(topic.name(), WAIT), partitions -> partitions.size() == topic.partitions());
    }

    /**
     * Waits until {@code condition} holds, polling the outputs for up to 100 ms before each question
     * after the first; fails after {@link #WAIT}.
     */
    void await(BooleanSupplier condition, String what) {
        if (condition.getAsBoolean()) {
            return;
        }
        Wait.atMost(WAIT, Duration.ZERO).alias(what).until(() -> {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                received.get(record.topic()).add(record);
            }
            return condition.getAsBoolean();
        });
    }

    private static Answer toAnswer(String topic, ConsumerRecord<byte[], byte[]> record) {
        return Answer.of(topic, record.key(), record.value(), record.headers());
    }

    private static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record) {
        return DeadLetter.of(record.key(), record.value(), record.headers());
    }

    Properties kafka() {
        return settings.kafka();
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            producer.close();
            consumer.close();
            TestBroker.delete(stateDir);
        }
    }
}
