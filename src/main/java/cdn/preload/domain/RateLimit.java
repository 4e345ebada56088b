package cdn.preload.domain;

import java.time.Duration;

/**
 * At most {@code maxResets} accepted resets of one job within any {@code window} of record time.
 * A reset at time t is refused when {@code maxResets} accepted resets have timestamps in (t - window, t].
 *
 * <p>A job keeps the times of its accepted resets within the window, and at most {@code maxResets}
 * of them: at most {@link #MAX_RESETS} times 8 bytes, whatever the settings. Record time never goes
 * back before a job's last accepted reset ({@link ResetDecision}), so a reset that has left the
 * window never counts again.
 */
public record RateLimit(int maxResets, Duration window) {
    public static final RateLimit DEFAULT = new RateLimit(5, Duration.ofSeconds(60));
    /** The highest limit: a job then keeps at most 8 KiB of reset times. A shorter window allows more resets a second. */
    public static final int MAX_RESETS = 1_000;

    public RateLimit {
        if (maxResets < 1 || maxResets > MAX_RESETS) {
            throw new IllegalArgumentException("maxResets must be between 1 and " + MAX_RESETS + ", got " + maxResets
                    + " (to allow more resets a second, shorten the window)");
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
     * {@code timestamp}: sorted, only the newest {@code maxResets}, and only those within the window
     * that ends at {@code timestamp}, which is all the limit ever needs, since no later command's
     * record time is earlier.
     */
    public long[] record(long[] recentResets, long timestamp) {
        long windowStart = timestamp - window.toMillis();
        int expired = 0;
        while (expired < recentResets.length && recentResets[expired] <= windowStart) {
            expired++;
        }
        int kept = Math.min(recentResets.length - expired + 1, maxResets);
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
