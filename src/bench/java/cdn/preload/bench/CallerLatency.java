package cdn.preload.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Java twin of {@code src/bench/python/caller_latency.py}, against a running processor (e.g.
 * {@code bin/run}'s): the same jobs, commands and pacing, sent by the Java producer (linger 0,
 * acks=all) placed by murmur2 (Java's default) or by CRC32 (librdkafka's), timed by the benchmark's
 * {@link Observer} (read_committed; {@code -Dbench.observer.fetch.max.wait.ms}, Java's default 500).
 * Arguments: bootstrap, murmur2|crc32, rates (50,500), seconds, warm-up seconds; {@code cold N}
 * instead of the warm-up: from the first answer, N windows at the first rate. Not part of any test.
 */
final class CallerLatency {
    private CallerLatency() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        boolean crc32 = args[1].equals("crc32");
        int[] rates = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(args[3]);
        boolean cold = args[4].equals("cold");
        int windows = cold ? Integer.parseInt(args[5]) : 0;
        int warmUp = cold ? 0 : Integer.parseInt(args[4]);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
             Observer observer = new Observer(bootstrap, List.of("preload-job-snapshots", "preload-job-errors"), true)) {
            int partitions = producer.partitionsFor("preload-job-reset-commands").size();
            for (int i = 0; i < 1000; i++) {
                send(producer, crc32, partitions, "preload-jobs", job(i), String.format(Locale.ROOT,
                        "{\"Id\":\"%s\",\"Name\":\"job-%d\",\"SiteId\":190007158391808,\"AliUid\":\"u-%d\",\"Domains\":\"example.com\","
                        + "\"TaskType\":\"preload\",\"InsertWay\":\"textBox\",\"UrlCount\":100,\"UrlSubmitted\":40,\"TaskSubmitted\":40,"
                        + "\"CreatedAt\":\"2024-06-02T02:23:26Z\"}", job(i), i, i % 97));
            }
            producer.flush();
            Thread.sleep(2_000);
            long[] sequence = {0};
            Runnable command = () -> {
                long n = sequence[0]++;
                String id = job((int) (n % 1000));
                String requestId = "java-" + n + "-" + System.nanoTime();
                observer.sent(requestId);
                send(producer, crc32, partitions, "preload-job-reset-commands", id,
                        "{\"RequestId\":\"" + requestId + "\",\"Id\":\"" + id + "\",\"AliUid\":\"u-" + (n % 1000 % 97) + "\"}");
            };
            long first = 0;
            if (cold) {
                long started = System.nanoTime();
                while (observer.pending() > 0 || sequence[0] == 0) {
                    command.run();
                    producer.flush();
                    Thread.sleep(100);
                    long[][] answered = observer.takeLatencies();
                    if (answered.length > 0) {
                        first = Arrays.stream(answered).mapToLong(a -> a[0] + a[1]).min().orElseThrow();
                        break;
                    }
                }
                System.out.printf(Locale.ROOT, "first answer %.1f s after the probe started%n", (first - started) / 1e9);
            }
            for (int rate : rates) {
                for (boolean measured : cold ? new boolean[] {true} : new boolean[] {false, true}) {
                    long start = cold ? first : System.nanoTime();
                    int total = rate * (measured ? (cold ? seconds * windows : seconds) : warmUp);
                    for (int i = 0; i < total; i++) {
                        long due = start + (long) (i * 1e9 / rate);
                        long now;
                        while ((now = System.nanoTime()) < due) {
                            LockSupport.parkNanos(due - now);
                        }
                        command.run();
                    }
                    producer.flush();
                    long deadline = System.nanoTime() + 120_000_000_000L;
                    while (observer.pending() > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    long[][] samples = observer.takeLatencies();
                    if (!measured) {
                        continue;
                    }
                    List<long[]> all = new ArrayList<>(Arrays.asList(samples));
                    all.sort(Comparator.comparingLong(a -> a[0]));
                    for (int w = 0; w < Math.max(1, windows); w++) {
                        long from = start + (cold ? w * seconds * 1_000_000_000L : 1_000_000_000L);
                        long to = cold ? from + seconds * 1_000_000_000L : Long.MAX_VALUE;
                        double[] ms = all.stream().filter(a -> a[0] >= from && a[0] < to).mapToDouble(a -> a[1] / 1e6).sorted().toArray();
                        System.out.printf(Locale.ROOT, "%d/s, %s, %s: p50 %.1f / p90 %.1f / p99 %.1f / max %.1f ms (%d answers)%n",
                                rate, crc32 ? "crc32" : "murmur2", cold ? (w * seconds) + "-" + ((w + 1) * seconds) + " s after the first answer" : "warm",
                                q(ms, .5), q(ms, .9), q(ms, .99), ms.length == 0 ? 0 : ms[ms.length - 1], ms.length);
                    }
                }
            }
        }
    }

    private static double q(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))];
    }

    private static String job(int i) {
        return String.format(Locale.ROOT, "%024x", new java.math.BigInteger("665d3af3621bccf3fe000000", 16).add(java.math.BigInteger.valueOf(i)));
    }

    /** murmur2: the producer's own partitioner; crc32: librdkafka's consistent_random (CRC32 of the key, modulo). */
    private static void send(KafkaProducer<byte[], byte[]> producer, boolean crc32, int partitions, String topic, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Integer partition = null;
        if (crc32) {
            CRC32 crc = new CRC32();
            crc.update(k);
            partition = (int) (crc.getValue() % partitions);
        }
        producer.send(new ProducerRecord<>(topic, partition, System.currentTimeMillis(), k, value.getBytes(StandardCharsets.UTF_8)));
    }
}
