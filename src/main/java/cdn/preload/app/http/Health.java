package cdn.preload.app.http;

import static cdn.preload.app.http.Answers.send;

import cdn.preload.app.http.HttpApi.TopicStatus;
import cdn.preload.domain.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /health/live} and {@code /health/ready}: the Streams client's state and what the last check
 * of the topics found. The topics are checked on a thread of their own, never on a request's, so
 * that a cluster that does not answer never holds the threads health answers on.
 */
final class Health implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Health.class);
    private static final Duration READINESS_INTERVAL = Duration.ofSeconds(10);

    private final Supplier<TopicStatus> topicCheck;
    private final ScheduledExecutorService readiness = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "readiness");
        thread.setDaemon(true);
        return thread;
    });
    private volatile KafkaStreams streams;
    private volatile TopicCheck topics = new TopicCheck(new TopicStatus(List.of("not checked yet"), List.of()),
            System.nanoTime());

    /** The last check of the topics: what it found, and when it finished. */
    private record TopicCheck(TopicStatus status, long finishedNanos) {
    }

    /** @param topicCheck the topics' problems and warnings (called in the background) */
    Health(Supplier<TopicStatus> topicCheck) {
        this.topicCheck = topicCheck;
    }

    void start() {
        readiness.scheduleWithFixedDelay(this::checkTopics, 0, READINESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The processor to report on; until then, nothing is live or ready. */
    void serve(KafkaStreams processor) {
        this.streams = processor;
    }

    @Override
    public void close() {
        readiness.shutdownNow();
    }

    void live(Response response, Callback callback) {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        boolean live = current != null && state.isRunningOrRebalancing();
        send(response, callback, live ? 200 : 503, status(live, state));
    }

    void ready(Response response, Callback callback) {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        TopicStatus topics = topicStatus();
        boolean ready = state == KafkaStreams.State.RUNNING && topics.problems().isEmpty();
        ObjectNode body = status(ready, state);
        body.putPOJO("topics", !topics.problems().isEmpty() ? topics.problems()
                : topics.warnings().isEmpty() ? "as defined" : "usable");
        if (!topics.warnings().isEmpty()) {
            body.putPOJO("warnings", topics.warnings());
        }
        send(response, callback, ready ? 200 : 503, body);
    }

    /** What the last check found; a check that has not finished for three intervals is a problem too. */
    private TopicStatus topicStatus() {
        TopicCheck last = topics;
        long age = System.nanoTime() - last.finishedNanos();
        if (age > 3 * READINESS_INTERVAL.toNanos()) {
            return new TopicStatus(List.of("not checked for " + TimeUnit.NANOSECONDS.toSeconds(age)
                    + " s (the cluster does not answer)"), List.of());
        }
        return last.status();
    }

    /** Runs on the readiness thread, never on a request's. */
    private void checkTopics() {
        TopicStatus status;
        try {
            status = topicCheck.get();
        } catch (RuntimeException e) {
            LOG.warn("Cannot check the topics for readiness", e);
            status = new TopicStatus(List.of("cannot check the topics (the processor's log says why)"), List.of());
        }
        topics = new TopicCheck(status, System.nanoTime());
    }

    private static ObjectNode status(boolean up, KafkaStreams.State state) {
        return Json.MAPPER.createObjectNode().put("status", up ? "UP" : "DOWN").put("state", state.name());
    }
}
