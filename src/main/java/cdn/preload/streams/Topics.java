package cdn.preload.streams;

/** The names of the processor's topics. The defaults are the contract's; each can be renamed. */
public record Topics(String jobs, String commands, String progress, String snapshots, String state, String errors,
                     String deadLetters) {
    public static final String JOBS = "preload-jobs";
    public static final String COMMANDS = "preload-job-reset-commands";
    public static final String PROGRESS = "preload-job-progress";
    public static final String SNAPSHOTS = "preload-job-snapshots";
    public static final String STATE = "preload-job-state";
    public static final String ERRORS = "preload-job-errors";
    public static final String DEAD_LETTERS = "preload-job-dlq";

    public static final Topics DEFAULT = new Topics(JOBS, COMMANDS, PROGRESS, SNAPSHOTS, STATE, ERRORS, DEAD_LETTERS);

    /**
     * The header that names a job's generation, in ASCII decimal digits: on a snapshot, the one its
     * reset started; on a job record, the one its counters were computed in.
     */
    public static final String GENERATION_HEADER = "preload.generation";
}
