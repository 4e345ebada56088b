package cdn.preload.domain;

import java.time.Duration;
import java.util.Arrays;

/**
 * At most {@code maxResets} accepted resets of one job within any {@code window} of record time.
 * A reset at time t is refused when {@code maxResets} accepted resets have timestamps in (t - window, t].
 */
public record RateLimit(int maxResets, Duration window) {
    public static final RateLimit DEFAULT = new RateLimit(5, Duration.ofSeconds(60));

    public RateLimit {
        if (maxResets < 1) {
            throw new IllegalArgumentException("maxResets must be at least 1, got " + maxResets);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
    }

    /** Whether one more reset at {@code timestamp} is allowed, given the recent accepted ones. */
    public boolean allows(long[] recentResets, long timestamp) {
        long windowStart = timestamp - window.toMillis();
        int inWindow = 0;
        for (long reset : recentResets) {
            if (reset > windowStart && reset <= timestamp) {
                inWindow++;
            }
        }
        return inWindow < maxResets;
    }

    /**
     * The recent resets after accepting one at {@code timestamp}: sorted, and only the newest
     * {@code maxResets}, which is all the limit ever needs while commands arrive in timestamp order.
     */
    public long[] record(long[] recentResets, long timestamp) {
        long[] all = Arrays.copyOf(recentResets, recentResets.length + 1);
        all[recentResets.length] = timestamp;
        Arrays.sort(all);
        return all.length <= maxResets ? all : Arrays.copyOfRange(all, all.length - maxResets, all.length);
    }
}
