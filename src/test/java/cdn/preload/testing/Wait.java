package cdn.preload.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** How the tests and the benchmarks wait on a condition: Awaitility, with a deadline, never a fixed sleep. */
public final class Wait {
    private Wait() {
    }

    /**
     * A wait of at most {@code timeout} that asks its condition at once, then again {@code every}
     * (zero: as soon as the last question is answered, for conditions that wait themselves, such as
     * a consumer's poll). The condition is asked on the caller's own thread: Kafka's clients must
     * not be shared between threads, and no question is left running after the deadline.
     */
    public static ConditionFactory atMost(Duration timeout, Duration every) {
        return Awaitility.await().atMost(timeout).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(every);
    }
}
