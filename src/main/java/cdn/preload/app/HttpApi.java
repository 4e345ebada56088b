package cdn.preload.app;

import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ResetTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's HTTP interface, on the JDK's own server:
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 unless the Streams client has failed or stopped;</li>
 *   <li>{@code GET /health/ready}: 200 only when it is RUNNING and the topics exist as {@code topics/}
 *       defines them;</li>
 *   <li>{@code GET /metrics}: Prometheus text;</li>
 *   <li>{@code GET /jobs/{Id}}: the job as the store holds it, in GetScheduledPreloadJob's shape,
 *       from whichever instance owns the key.</li>
 * </ul>
 */
final class HttpApi implements AutoCloseable {
    /** Set on a request forwarded to the instance that owns a key, so that it is never forwarded twice. */
    static final String FORWARDED = "X-Preload-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration TOPICS_CHECK_TTL = Duration.ofSeconds(10);

    private final Settings settings;
    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile KafkaStreams streams;
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    private volatile HostInfo self;
    private Admin admin;
    private List<String> topicProblems;
    private long topicsCheckedAt;

    HttpApi(Settings settings, PrometheusMeterRegistry registry) throws IOException {
        this.settings = settings;
        this.registry = registry;
        // The JDK server writes a response's headers and body separately; with Nagle's algorithm on,
        // the client's delayed ACK then holds every answer back about 40 ms. Read when the first
        // server is created.
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
        server = HttpServer.create(new InetSocketAddress(settings.http().host(), settings.http().port()), 0);
        executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
        LOG.info("HTTP interface on {}:{} (/health/live, /health/ready, /metrics, /jobs/{Id})",
                settings.http().host(), port());
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The processor to report on; until then, nothing is live or ready. */
    void serve(KafkaStreams processor, HostInfo thisInstance) {
        this.self = thisInstance;
        this.streams = processor;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        synchronized (this) {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().add("Allow", "GET");
                send(exchange, 405, problem("Method " + exchange.getRequestMethod() + " is not allowed; use GET."));
            } else if (path.equals("/health/live")) {
                live(exchange);
            } else if (path.equals("/health/ready")) {
                ready(exchange);
            } else if (path.equals("/metrics")) {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (path.startsWith("/jobs/")) {
                job(exchange, path.substring("/jobs/".length()));
            } else {
                send(exchange, 404, problem("No such path: " + path
                        + ". Paths: /health/live, /health/ready, /metrics, /jobs/{Id}."));
            }
        } catch (RuntimeException e) {
            LOG.warn("HTTP request failed: {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            send(exchange, 500, problem("Internal error: " + e));
        }
    }

    private void live(HttpExchange exchange) throws IOException {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        boolean live = current != null && state.isRunningOrRebalancing();
        send(exchange, live ? 200 : 503, status(live, state));
    }

    private void ready(HttpExchange exchange) throws IOException {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        List<String> problems = topicProblems();
        boolean ready = state == KafkaStreams.State.RUNNING && problems.isEmpty();
        ObjectNode body = status(ready, state);
        body.putPOJO("topics", problems.isEmpty() ? "as defined" : problems);
        send(exchange, ready ? 200 : 503, body);
    }

    /** Whether the topics exist with the defined layout; checked at most every few seconds. */
    private synchronized List<String> topicProblems() {
        long now = System.nanoTime();
        if (topicProblems == null || now - topicsCheckedAt > TOPICS_CHECK_TTL.toNanos()) {
            try {
                if (admin == null) {
                    admin = KafkaOptions.admin(settings);
                }
                topicProblems = TopicSetup.check(admin, TopicDefinitions.forTopics(settings.topics())).errors();
            } catch (RuntimeException e) {
                topicProblems = List.of("cannot check the topics: " + e.getMessage());
            }
            topicsCheckedAt = now;
        }
        return topicProblems;
    }

    private void job(HttpExchange exchange, String id) throws IOException {
        String requestId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        if (!JobId.isValid(id)) {
            send(exchange, 400, ErrorEvent.of(ErrorCode.INVALID_PARAMETER_OBJECT_ID, requestId, id));
            return;
        }
        KafkaStreams current = streams;
        KeyQueryMetadata owner = current == null ? null
                : current.queryMetadataForKey(ResetTopology.JOB_STORE, id, Serdes.String().serializer());
        if (current == null || current.state() != KafkaStreams.State.RUNNING
                || owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            unavailable(exchange);
            return;
        }
        if (!owner.activeHost().equals(self)) {
            if (exchange.getRequestHeaders().containsKey(FORWARDED)) {
                unavailable(exchange); // the instances disagree about who owns it: a rebalance is under way
            } else {
                forward(exchange, owner.activeHost(), id);
            }
            return;
        }
        StoredJob stored;
        try {
            ReadOnlyKeyValueStore<String, StoredJob> store = current.store(StoreQueryParameters
                    .fromNameAndType(ResetTopology.JOB_STORE, QueryableStoreTypes.<String, StoredJob>keyValueStore())
                    .withPartition(owner.partition()));
            stored = store.get(id);
        } catch (InvalidStateStoreException rebalancing) {
            unavailable(exchange);
            return;
        }
        if (stored == null) {
            send(exchange, 404, ErrorEvent.of(ErrorCode.INVALID_JOB_NOT_FOUND, requestId, id));
        } else {
            // GetScheduledPreloadJob's response: a RequestId and the 14 fields of the job.
            send(exchange, 200, new Snapshot(requestId, stored.job()));
        }
    }

    private void forward(HttpExchange exchange, HostInfo owner, String id) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + "/jobs/" + id))
                .header(FORWARDED, "1").timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<byte[]> answer = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
            exchange.getResponseBody().write(answer.body());
        } catch (IOException e) {
            send(exchange, 503, problem("The instance that holds job " + id + " (" + owner.host() + ":" + owner.port()
                    + ") did not answer: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(exchange);
        }
    }

    private void unavailable(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Retry-After", "1");
        send(exchange, 503, problem("The job store is not available right now (starting or rebalancing); try again."));
    }

    private static ObjectNode status(boolean up, KafkaStreams.State state) {
        return Json.MAPPER.createObjectNode().put("status", up ? "UP" : "DOWN").put("state", state.name());
    }

    private static ObjectNode problem(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
