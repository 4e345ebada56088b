package cdn.preload.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * When an answer asks for a commit before the commit interval is over. Under exactly-once an answer
 * is visible only once its transaction commits, and a caller waits for it: an answer to a command
 * at most {@code within} old (by its record time) is committed at once, but at most one such commit
 * is asked for every {@code minGap}, so that a steady stream of fresh commands still shares its
 * transactions. A backlog's commands are older, and are committed at the commit interval, many to a
 * transaction: a processor catching up drains as fast as without early commits.
 *
 * @param within the age up to which an answer is committed early; zero: never (off)
 * @param minGap the shortest time between two early commits of one stream thread
 */
public record FreshCommits(Duration within, Duration minGap) {
    /** No early commits: every answer waits for the commit interval. */
    public static final FreshCommits OFF = new FreshCommits(Duration.ZERO, Duration.ZERO);

    public FreshCommits {
        Objects.requireNonNull(within, "within");
        Objects.requireNonNull(minGap, "minGap");
        if (within.isNegative() || minGap.isNegative()) {
            throw new IllegalArgumentException("within and minGap must not be negative: " + within + ", " + minGap);
        }
    }

    /** Whether any answer is committed early. */
    public boolean enabled() {
        return within.toMillis() > 0;
    }
}
