package cdn.preload.domain;

/**
 * Fencing by generation, as pure functions: what a write that carries counters (a worker's progress
 * report, a record of the jobs topic) does to the stored job, given the generation it was computed
 * in. Counters count only from the job's current generation, and never go down within one; a
 * generation ahead of the job's is bad input, since no honest writer can know it.
 */
public final class ProgressDecision {
    private static final Result UNCHANGED = new Unchanged();
    private static final Result NO_JOB = new Fenced("no such job");
    private static final Result STALE = new Fenced("an older generation than the job's");

    private ProgressDecision() {
    }

    /** What a write of counters comes to. */
    public sealed interface Result {
    }

    /** The job changes: store {@code updated} and publish its state. */
    public record Applied(StoredJob updated) implements Result {
    }

    /** The job stays as it is (nothing went up, or nothing else changed): nothing is written. */
    public record Unchanged() implements Result {
    }

    /** A progress report that counts for nothing (no such job, or an older generation): dropped. */
    public record Fenced(String why) implements Result {
    }

    /** A generation ahead of the job's: bad input, to the dead letter queue; {@code problem} says why. */
    public record Ahead(String problem) implements Result {
    }

    /** Steps 2 to 5 of a progress report, on the stored job (or none). */
    public static Result ofReport(StoredJob current, Progress report) {
        if (current == null) {
            return NO_JOB;
        }
        if (report.generation() < current.generation()) {
            return STALE;
        }
        if (report.generation() > current.generation()) {
            return ahead("The progress report's Generation", report.generation(), current.generation());
        }
        StoredJob updated = current.withProgress(report.urlSubmitted(), report.taskSubmitted());
        return updated == current ? UNCHANGED : new Applied(updated);
    }

    /**
     * A record of the jobs topic whose counters were computed in {@code generation} (its header
     * {@code preload.generation}; 0 without one): a job not stored is stored as it is, at generation
     * 0; a stored one is {@link StoredJob#updatedBy updated}, unless the generation is ahead of its.
     * {@code document} is {@link Json#write} of {@code job}, written already.
     */
    public static Result ofJobRecord(StoredJob current, Job job, byte[] document, long generation) {
        if (current == null) {
            return new Applied(StoredJob.of(job, document));
        }
        if (generation > current.generation()) {
            return ahead("The job record's header preload.generation", generation, current.generation());
        }
        StoredJob updated = current.updatedBy(job, document, generation);
        return updated.sameDocument(current) ? UNCHANGED : new Applied(updated);
    }

    private static Result ahead(String what, long generation, long current) {
        return new Ahead(what + " is " + generation + ", ahead of the job's generation " + current
                + ": no writer can know a generation that does not exist yet.");
    }
}
