package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.exampleJobWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What a job update costs on the stream thread when the replay memory holds many answers for that
 * job: {@code bench.errors} refused commands from other accounts (100,000) and {@code bench.snapshots}
 * accepted resets (1,000), all given through the production topology in a TopologyTestDriver, on
 * RocksDB. Then job updates from the jobs topic, each timed around its processing. Not a test: run
 * it with
 *
 * <pre>
 * mvn -B -q -DskipTests test-compile
 * java -cp "target/test-classes:target/classes:$(cat target/broker.classpath)" cdn.preload.streams.JobUpdateFloodBenchmark
 * </pre>
 *
 * (Its source is in {@code src/bench/java}, compiled with the tests.)
 */
public final class JobUpdateFloodBenchmark {
    private JobUpdateFloodBenchmark() {
    }

    public static void main(String[] args) {
        int errors = Integer.getInteger("bench.errors", 100_000);
        int snapshots = Integer.getInteger("bench.snapshots", 1_000);
        int updates = Integer.getInteger("bench.updates", 11);
        Instant t0 = Instant.now().minus(Duration.ofHours(5));
        try (TopologyFixture fixture = new TopologyFixture()) {
            fixture.putJob(EXAMPLE_ID, EXAMPLE_JOB, t0.minusSeconds(1));
            long filling = System.nanoTime();
            for (int i = 0; i < snapshots; i++) {
                // 13 s apart: under the rate limit of 5 a minute, every one is accepted
                fixture.reset("accepted-" + i, EXAMPLE_ID, EXAMPLE_UID, t0.plusSeconds(13L * i));
            }
            for (int i = 0; i < errors; i++) {
                fixture.reset("planted-" + i, EXAMPLE_ID, "intruder-" + (i % 97), t0.plusSeconds(13L * snapshots).plusMillis(i));
            }
            if (fixture.allSnapshots().size() != snapshots || fixture.allErrors().size() != errors) {
                throw new IllegalStateException("the answers are not what the benchmark meant to remember");
            }
            System.out.printf(Locale.ROOT, "remembered %d snapshots and %d errors of job %s in %.1f s%n", snapshots, errors,
                    EXAMPLE_ID, (System.nanoTime() - filling) / 1e9);

            Instant updateTime = t0.plusSeconds(13L * snapshots + 200);
            double first = 0;
            Histogram later = new Histogram(3); // nanoseconds, to three significant digits
            for (int i = 0; i < updates; i++) {
                long start = System.nanoTime();
                fixture.putJob(EXAMPLE_ID, exampleJobWith("renamed-" + i, i, i), updateTime.plusMillis(i));
                long nanos = System.nanoTime() - start;
                if (i == 0) {
                    first = nanos / 1e6;
                } else {
                    later.recordValue(nanos);
                }
            }
            System.out.printf(Locale.ROOT, "job update: first %.2f ms, later ones median %.2f ms (min %.2f, max %.2f), %d updates%n",
                    first, later.getValueAtPercentile(50) / 1e6, later.getMinValue() / 1e6, later.getMaxValue() / 1e6, updates);
            long replay = System.nanoTime();
            fixture.reset("accepted-0", EXAMPLE_ID, EXAMPLE_UID, updateTime.plusSeconds(1));
            System.out.printf(Locale.ROOT, "replay of the first accepted reset after the updates: %.2f ms, %s%n",
                    (System.nanoTime() - replay) / 1e6, fixture.answer().document().contains("\"Name\":\"example\"")
                            ? "its first snapshot" : "NOT its first snapshot");
        }
    }
}
