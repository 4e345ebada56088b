package cdn.preload.streams;

/** The names of the processor's topics. The defaults are the contract's; each can be renamed. */
public record Topics(String jobs, String commands, String snapshots, String errors, String deadLetters) {
    public static final String JOBS = "preload-jobs";
    public static final String COMMANDS = "preload-job-reset-commands";
    public static final String SNAPSHOTS = "preload-job-snapshots";
    public static final String ERRORS = "preload-job-errors";
    public static final String DEAD_LETTERS = "preload-job-dlq";

    public static final Topics DEFAULT = new Topics(JOBS, COMMANDS, SNAPSHOTS, ERRORS, DEAD_LETTERS);
}
