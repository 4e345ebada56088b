package cdn.preload.bench;

import java.util.Locale;

/**
 * The counters of the progress drain's reports, all of generation 0, the jobs' current one. A job's
 * reports raise both its counters by one each, except that every {@code repeatEvery}-th one repeats
 * the report before it (the first: the job as published), as a worker's retry does: it changes
 * nothing, and publishes no JobState. The repeats are spread over the jobs, so that any run of
 * reports has its share of them. 0: every report raises them; 1: every report repeats the counters
 * the job was published with.
 */
record ProgressMix(int repeatEvery) {
    /** Both counters of the {@code round}-th report (from 0) of the job of this {@code index}. */
    int submitted(int index, int round) {
        int repeated = repeatEvery == 0 ? 0 : (round + 1 + index % repeatEvery) / repeatEvery;
        return BenchJob.SUBMITTED + 1 + round - repeated;
    }

    /** The mix in words, for the report. */
    String describe() {
        return switch (repeatEvery) {
            case 0 -> "every report raises its job's counters";
            case 1 -> "every report repeats its job's counters";
            default -> String.format(Locale.ROOT, "%d in %d reports raise their job's counters, 1 in %d repeats the one before",
                    repeatEvery - 1, repeatEvery, repeatEvery);
        };
    }
}
