package cdn.preload.bench;

import cdn.preload.app.local.LocalKafka;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.Topics;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.RunTopics;
import cdn.preload.testing.TestBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's one local broker and what it publishes there: the topics of each run (as
 * {@code topics/} defines them), the jobs, the commands and the progress reports, and the
 * environment of each application drained from them.
 *
 * <p>The broker's log goes to {@code bench.dir} and the processors' state to {@code bench.state.dir}
 * (by default java.io.tmpdir, on disk as in production). The broker stands in for a cluster on
 * machines of its own: here it shares the one disk with everything else, and its writeback stalled
 * every process on the machine for up to a tenth of a second at a time (docs/PERFORMANCE.md,
 * "Latency"), so its log goes to memory where there is a tmpfs.
 */
final class BenchCluster implements AutoCloseable {
    /** The partitions of the commands topic, and so of the baselines' output topics. */
    static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.COMMANDS);
    /** RequestIds as long as the UUIDs an API front end would send. */
    static final String REQUEST_ID_PADDING = "-7c1f0b8e-4e5d-4c8a-9b1e";
    private static final long STEP_MS = 2; // 10,000 jobs × 2 ms: a job's commands are 20 s apart, under 5 per minute

    final LocalKafka broker;
    final Path dir;
    final Path stateDir;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    /**
     * The latency loads' producer: a caller who waits for the answer sends at once ({@code linger.ms}
     * 0, {@code bench.latency.linger.ms}), where the publishing of the drains' commands batches.
     */
    private final KafkaProducer<byte[], byte[]> caller;
    private final long t0 = Instant.now().minus(Duration.ofHours(3)).toEpochMilli();
    private long clock;

    BenchCluster() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", brokerDirDefault())), "preload-bench");
        stateDir = Files.createTempDirectory(Path.of(System.getProperty("bench.state.dir", System.getProperty("java.io.tmpdir"))),
                "preload-bench-state");
        // -Dbench.broker=name=value,...: broker settings of the run's own
        Map<String, String> brokerSettings = new java.util.HashMap<>();
        for (String setting : System.getProperty("bench.broker", "").split(",")) {
            if (!setting.isBlank()) {
                String[] pair = setting.split("=", 2);
                brokerSettings.put(pair[0].trim(), pair[1].trim());
            }
        }
        broker = TestBroker.startOwn(dir.resolve("broker"), brokerSettings);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 10, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
        caller = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, Integer.getInteger("bench.latency.linger.ms", 0),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static String brokerDirDefault() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm.toString() : System.getProperty("java.io.tmpdir");
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The five topics of a run, named with {@code suffix}, created as {@code topics/} defines them. */
    Topics topics(String suffix) {
        Topics topics = RunTopics.suffixed(suffix);
        TopicSetup.Report created = TopicSetup.ensure(admin, TopicDefinitions.forTopics(topics));
        if (!created.ok()) {
            throw new IllegalStateException(created.errors().toString());
        }
        return topics;
    }

    /** An output topic of a baseline, with the commands topic's partitions. */
    String createTopic(String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
        return name;
    }

    void publishJobs(Topics topics, List<BenchJob> jobList) {
        for (BenchJob job : jobList) {
            send(topics.jobs(), job.id(), job.json(), t0 - 1);
        }
        producer.flush();
    }

    /** Command timestamps start again from the start, 3 hours back. */
    void rewindClock() {
        clock = t0;
    }

    /** {@code count} commands over the jobs in turn; every {@code badEvery}-th one truncated (0: none). */
    void publishCommands(String topic, List<BenchJob> jobList, int count, int badEvery) {
        for (int i = 0; i < count; i++) {
            BenchJob job = jobList.get(i % jobList.size());
            byte[] value = job.command("req-" + i + REQUEST_ID_PADDING);
            if (badEvery > 0 && i % badEvery == 0) {
                value = Arrays.copyOf(value, value.length / 2);
            }
            send(producer, topic, job.id(), value, clock);
            clock += STEP_MS;
        }
        producer.flush();
    }

    /** {@code count} progress reports over the jobs in turn, their counters as {@code mix} has them. */
    void publishProgress(String topic, List<BenchJob> jobList, int count, ProgressMix mix) {
        for (int i = 0; i < count; i++) {
            BenchJob job = jobList.get(i % jobList.size());
            send(producer, topic, job.id(), job.progress(mix.submitted(job.index(), i / jobList.size())), clock);
            clock += STEP_MS;
        }
        producer.flush();
    }

    /**
     * The offsets {@code group} has committed on {@code topic}, summed over its partitions: of a topic
     * written without transactions, the records it has processed (under exactly-once, committed in the
     * transaction of their outputs).
     */
    long committed(String group, String topic) throws Exception {
        long records = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> offset
                : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()) {
            if (offset.getKey().topic().equals(topic) && offset.getValue() != null) {
                records += offset.getValue().offset();
            }
        }
        return records;
    }

    /** One command of a latency load, sent as a waiting caller sends it: now, and stamped now. */
    void sendCommand(String topic, BenchJob job, byte[] value) {
        send(caller, topic, job.id(), value, System.currentTimeMillis());
    }

    private void send(String topic, String key, byte[] value, long timestamp) {
        send(producer, topic, key, value, timestamp);
    }

    private static void send(KafkaProducer<byte[], byte[]> by, String topic, String key, byte[] value, long timestamp) {
        by.send(new ProducerRecord<>(topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), value));
    }

    Map<String, String> processorEnv(Topics topics, String applicationId, String guarantee) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_APPLICATION_ID", applicationId);
        env.put("KAFKA_PROCESSING_GUARANTEE", guarantee);
        env.put("KAFKA_STATE_DIR", stateDir.resolve("state-" + applicationId).toString());
        env.putAll(RunTopics.env(topics));
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", Integer.toString(LocalKafka.freePort()));
        env.put("HTTP_AUTH_TOKEN", "bench-token-" + applicationId);
        env.putAll(extraEnv());
        return env;
    }

    /** The baselines' environment: the processor's Streams settings, their own application id and topics. */
    Map<String, String> baselineEnv(String applicationId, String guarantee, String in, String out) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KAFKA_APPLICATION_ID", applicationId);
        env.put("KAFKA_PROCESSING_GUARANTEE", guarantee);
        env.put("KAFKA_STATE_DIR", stateDir.resolve("state-" + applicationId).toString());
        env.put("BENCH_IN", in);
        env.put("BENCH_OUT", out);
        env.putAll(extraEnv());
        return env;
    }

    /** Settings for every variant alike, to compare configurations: -Dbench.env=KAFKA_BATCH_SIZE=262144,... */
    private static Map<String, String> extraEnv() {
        return env(System.getProperty("bench.env", ""));
    }

    /** Settings written {@code NAME=value,NAME=value}. */
    static Map<String, String> env(String settings) {
        Map<String, String> env = new HashMap<>();
        for (String setting : settings.split(",")) {
            if (!setting.isBlank()) {
                env.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
            }
        }
        return env;
    }

    @Override
    public void close() {
        producer.close();
        caller.close();
        admin.close();
        broker.stop();
        TestBroker.delete(dir);
        TestBroker.delete(stateDir);
    }
}
