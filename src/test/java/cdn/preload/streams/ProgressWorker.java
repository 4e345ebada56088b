package cdn.preload.streams;

import cdn.preload.domain.Json;
import cdn.preload.testing.UntilTerminated;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A prefetch worker in a JVM of its own, as {@link ProgressRaceIT} runs it: for each job that
 * {@code WORKER_JOBS} names (Ids, comma-separated) it reports progress in a tight loop, keyed by the
 * job's Id, in the generation it last saw on the state topic ({@code TOPIC_STATE}, read_committed),
 * and starts counting again when the state shows a newer one, as the contract tells workers to.
 * It looks at the state between batches ({@link #LOOK_EVERY}), so it goes on reporting in the old
 * generation for a while after each reset, as a real worker does.
 *
 * <p>In generation g the i-th report (i = 1, 2, ...) says {@code UrlSubmitted = g * SPAN + i} and
 * {@code TaskSubmitted = g * SPAN + i / 2}: a counter that came from another generation shows.
 * It prints {@code reporting} once it knows every job's generation, and {@code generation <Id> <g>}
 * each time it learns a newer one. SIGTERM stops it once what it sent is written.
 */
final class ProgressWorker {
    /** The counters of generation g lie in [g * SPAN, (g + 1) * SPAN). */
    static final long SPAN = 1_000_000;
    /** How often the worker looks at the state topic: between batches of URLs, not between each. */
    static final Duration LOOK_EVERY = Duration.ofMillis(20);

    private ProgressWorker() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        String progressTopic = env.get("TOPIC_PROGRESS");
        String stateTopic = env.get("TOPIC_STATE");
        List<String> jobs = List.of(env.get("WORKER_JOBS").split(","));
        AtomicBoolean running = UntilTerminated.running("stop-worker");

        Map<String, Long> generations = new HashMap<>();
        Map<String, Integer> reported = new HashMap<>();
        long sent = 0;
        try (KafkaConsumer<byte[], byte[]> state = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                     ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo partition : state.partitionsFor(stateTopic)) {
                partitions.add(new TopicPartition(stateTopic, partition.partition()));
            }
            state.assign(partitions);
            state.seekToBeginning(partitions);
            long nextLook = System.nanoTime();
            while (running.get()) {
                boolean known = generations.size() == jobs.size();
                if (!known || System.nanoTime() - nextLook >= 0) {
                    // Until it knows every job, the worker has nothing else to do than wait on the state.
                    for (ConsumerRecord<byte[], byte[]> record : state.poll(known ? Duration.ZERO : Duration.ofMillis(100))) {
                        String id = new String(record.key(), StandardCharsets.UTF_8);
                        if (record.value() != null && jobs.contains(id)) {
                            long generation = Json.MAPPER.readTree(record.value()).get("Generation").asLong();
                            Long was = generations.put(id, generation);
                            if (was == null || generation > was) {
                                reported.put(id, 0); // drop the work, start again from the first URL
                                System.out.println("generation " + id + " " + generation);
                            } else {
                                generations.put(id, was);
                            }
                        }
                    }
                    nextLook = System.nanoTime() + LOOK_EVERY.toNanos();
                    if (!known && generations.size() == jobs.size()) {
                        System.out.println("reporting");
                    }
                    continue;
                }
                for (String id : jobs) {
                    long generation = generations.get(id);
                    int i = reported.merge(id, 1, Integer::sum);
                    byte[] report = ProcessorHarness.progress(id, generation, (int) (generation * SPAN + i),
                            (int) (generation * SPAN + i / 2));
                    producer.send(new ProducerRecord<>(progressTopic, id.getBytes(StandardCharsets.UTF_8), report));
                    sent++;
                }
                producer.flush();
            }
            producer.flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println("stopped after " + sent + " reports");
    }
}
