package cdn.preload.app.runtime;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Json;
import cdn.preload.streams.ResetObserver;
import cdn.preload.streams.ResetObserver.ProgressOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's own meters, and one log line per answer. Meters are created once, up front, so
 * that counting on the stream thread is an increment and nothing more.
 *
 * <p>They count what the processor processed, as their names say ({@code _processed}): under
 * exactly-once, a transaction that aborts (a crash, a rebalance, a broker failure) is processed
 * again from the last commit, and its records are counted and logged again, while each answer is
 * committed to its topic once. So the counters may run ahead of the answers on the topics, never
 * behind; the topics' committed offsets count the answers.
 *
 * <ul>
 *   <li>{@code preload_commands_processed_total{status,code}}: commands by the HTTP status and code of
 *       their answer ({@code 200 OK} for a snapshot);</li>
 *   <li>{@code preload_replays_processed_total}: commands whose answer was a replay;</li>
 *   <li>{@code preload_dead_letters_processed_total{source}}: records made dead letters, from {@code commands},
 *       {@code jobs} or {@code progress};</li>
 *   <li>{@code preload_progress_reports_processed_total{outcome}}: progress reports by what became of them
 *       ({@code applied}, {@code unchanged}, {@code fenced}, {@code dead-lettered});</li>
 *   <li>{@code preload_command_processing_seconds}: time per command in the reset processor.</li>
 * </ul>
 *
 * Each command processed can be logged at INFO on the logger {@code cdn.preload.outcomes} as one JSON object
 * (the values are the caller's, so they are escaped, never pasted). It is off by default, since it
 * costs throughput on the stream thread; turn it on with
 * {@code -Dorg.slf4j.simpleLogger.log.cdn.preload.outcomes=info}.
 */
final class OutcomeMetrics implements ResetObserver {
    static final String OUTCOMES_LOGGER = "cdn.preload.outcomes";
    private static final Logger OUTCOMES = LoggerFactory.getLogger(OUTCOMES_LOGGER);

    private final Counter snapshots;
    private final Counter[] errors = new Counter[ErrorCode.values().length];
    private final Counter replays;
    private final Counter deadCommands;
    private final Counter deadJobs;
    private final Counter deadProgress;
    private final Counter[] progress = new Counter[ProgressOutcome.values().length];
    private final Timer processing;

    OutcomeMetrics(MeterRegistry registry) {
        snapshots = outcomes(registry, 200, "OK");
        for (ErrorCode code : ErrorCode.values()) {
            errors[code.ordinal()] = outcomes(registry, code.httpStatus(), code.code());
        }
        replays = Counter.builder("preload.replays.processed").description("Commands processed whose answer was a replay of a remembered answer")
                .register(registry);
        deadCommands = deadLetters(registry, "commands");
        deadJobs = deadLetters(registry, "jobs");
        deadProgress = deadLetters(registry, "progress");
        for (ProgressOutcome outcome : ProgressOutcome.values()) {
            progress[outcome.ordinal()] = Counter.builder("preload.progress.reports.processed")
                    .description("Progress reports processed, by what became of them")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-')).register(registry);
        }
        processing = Timer.builder("preload.command.processing")
                .description("Time to answer one command in the reset processor").register(registry);
    }

    private static Counter outcomes(MeterRegistry registry, int status, String code) {
        return Counter.builder("preload.commands.processed").description("Commands processed, by the HTTP status and code of their answer")
                .tag("status", Integer.toString(status)).tag("code", code).register(registry);
    }

    private static Counter deadLetters(MeterRegistry registry, String source) {
        return Counter.builder("preload.dead.letters.processed").description("Records processed into a dead letter")
                .tag("source", source).register(registry);
    }

    @Override
    public void answered(String requestId, String id, ErrorCode error, boolean replay, long nanos) {
        (error == null ? snapshots : errors[error.ordinal()]).increment();
        if (replay) {
            replays.increment();
        }
        processing.record(nanos, TimeUnit.NANOSECONDS);
        if (OUTCOMES.isInfoEnabled()) {
            OUTCOMES.info(Json.MAPPER.createObjectNode()
                    .put("event", "processed").put("RequestId", requestId).put("Id", id)
                    .put("HttpStatusCode", error == null ? 200 : error.httpStatus())
                    .put("Code", error == null ? "OK" : error.code()).put("Replay", replay).toString());
        }
    }

    @Override
    public void deadLettered(String source, String problem) {
        switch (source) {
            case "jobs" -> deadJobs.increment();
            case "progress" -> deadProgress.increment();
            default -> deadCommands.increment();
        }
    }

    @Override
    public void progress(ProgressOutcome outcome) {
        progress[outcome.ordinal()].increment();
    }
}
