package cdn.preload.domain;

import java.time.Duration;

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
     * The recent resets (sorted, as this method returns them) after accepting one at
     * {@code timestamp}: sorted, and only the newest
     * {@code maxResets}, which is all the limit ever needs while commands arrive in timestamp order.
     */
    public long[] record(long[] recentResets, long timestamp) {
        int kept = Math.min(recentResets.length + 1, maxResets);
        long[] newest = new long[kept];
        // merge the sorted resets with the new one, from the newest down, keeping the newest few
        int from = recentResets.length - 1;
        boolean placed = false;
        for (int to = kept - 1; to >= 0; to--) {
            if (!placed && (from < 0 || timestamp >= recentResets[from])) {
                newest[to] = timestamp;
                placed = true;
            } else {
                newest[to] = recentResets[from--];
            }
        }
        return newest;
    }
}
