package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class RateLimitTest {
    private final RateLimit limit = new RateLimit(3, Duration.ofSeconds(10));

    @Test
    void theWindowIsOpenAtItsStartAndClosedAtItsEnd() {
        long[] resets = {1_000, 5_000, 10_000};

        assertThat(limit.allows(resets, 10_999)).isFalse(); // (999, 10_999] holds all three
        assertThat(limit.allows(resets, 11_000)).isTrue();  // (1_000, 11_000] no longer holds 1_000
    }

    @Test
    void resetsLaterThanTheCommandDoNotCount() {
        assertThat(limit.allows(new long[] {1_000, 2_000, 9_000}, 8_000)).isTrue();
    }

    @Test
    void recordingKeepsOnlyTheNewestResetsInOrder() {
        long[] kept = limit.record(new long[] {1_000, 2_000, 4_000}, 3_000);
        assertThat(kept).containsExactly(2_000, 3_000, 4_000);
        assertThat(limit.record(new long[0], 7)).containsExactly(7);
    }

    @Test
    void recordingKeepsTheNewestResetsOfAnyHistoryEvenOneLongerThanALoweredLimit() {
        Random random = new Random(7);
        for (int round = 0; round < 10_000; round++) {
            RateLimit any = new RateLimit(1 + random.nextInt(6), Duration.ofSeconds(10));
            long[] history = random.longs(random.nextInt(9), 0, 50).sorted().toArray();
            long timestamp = random.nextInt(60);

            long[] all = LongStream.concat(Arrays.stream(history), LongStream.of(timestamp)).sorted().toArray();
            long[] newest = Arrays.copyOfRange(all, Math.max(0, all.length - any.maxResets()), all.length);
            assertThat(any.record(history, timestamp)).as("%s + %d, keeping %d", Arrays.toString(history), timestamp,
                    any.maxResets()).containsExactly(newest);
        }
    }

    @Test
    void recordingForgetsResetsThatHaveLeftTheWindowSoAJobKeepsAtMostTheResetsOfOneWindow() {
        assertThat(limit.record(new long[] {1_000, 5_000}, 11_000)).containsExactly(5_000, 11_000);

        RateLimit high = new RateLimit(RateLimit.MAX_RESETS, Duration.ofSeconds(10));
        long[] resets = new long[0];
        for (long t = 0; t < 100_000; t += 100) { // a reset every 100 ms for 100 s, all accepted
            assertThat(high.allows(resets, t)).isTrue();
            resets = high.record(resets, t);
        }
        assertThat(resets).hasSize(100).startsWith(90_000).endsWith(99_900);
    }

    @Test
    void aLimitBelowOneOrAboveTheHighestOrAnEmptyWindowIsRefused() {
        assertThatThrownBy(() -> new RateLimit(0, Duration.ofSeconds(1))).hasMessageContaining("maxResets");
        assertThatThrownBy(() -> new RateLimit(RateLimit.MAX_RESETS + 1, Duration.ofSeconds(1)))
                .hasMessageContaining("between 1 and 1000");
        assertThatThrownBy(() -> new RateLimit(1, Duration.ZERO)).hasMessageContaining("window");
    }
}
