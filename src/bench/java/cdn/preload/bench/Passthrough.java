package cdn.preload.bench;

import cdn.preload.config.Settings;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The ceiling for any Kafka Streams application on a broker: it copies each record of
 * {@code BENCH_IN} to {@code BENCH_OUT} with byte-array serdes, under the processor's own Streams
 * configuration (read from the environment the same way). Runs until SIGTERM.
 */
public final class Passthrough {
    private Passthrough() {
    }

    public static void main(String[] args) throws InterruptedException {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(System.getenv("BENCH_IN"), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("in"))
                .to(System.getenv("BENCH_OUT"), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("out"));
        runUntilTerminated(builder.build(), Settings.fromEnvironment(System.getenv()).kafka());
    }

    /** Runs {@code topology} until SIGTERM, which closes it. */
    static void runUntilTerminated(Topology topology, Properties kafka) throws InterruptedException {
        KafkaStreams streams = new KafkaStreams(topology, kafka);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            stopped.countDown();
        }));
        streams.start();
        stopped.await();
    }
}
