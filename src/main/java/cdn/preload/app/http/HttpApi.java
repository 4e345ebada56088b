package cdn.preload.app.http;

import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ResetTopology;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's HTTP interface, on Jetty:
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 unless the Streams client has failed or stopped;</li>
 *   <li>{@code GET /health/ready}: 200 only when it is RUNNING and nothing about the topics stops it
 *       (checked in the background); what only differs from {@code topics/} is shown as warnings;</li>
 *   <li>{@code GET /metrics}: Prometheus text;</li>
 *   <li>{@code GET /jobs/{Id}?AliUid=...}: the job, in GetScheduledPreloadJob's shape, with its
 *       generation in the header {@value #GENERATION_HEADER}, for a caller with the bearer token
 *       ({@code HTTP_AUTH_TOKEN}) and the job's account, from whichever instance owns the key;</li>
 *   <li>{@code GET /jobs?SiteId=...&AliUid=...}: a page of the site's jobs that the account owns, in
 *       ListScheduledPreloadJobs' shape, with the same token, from every instance ({@link JobLists}).</li>
 * </ul>
 *
 * <p>Nothing a caller does holds the threads that health answers on: Jetty reads a request without a
 * thread until it is whole (a half-sent request holds a connection, until the idle timeout), the
 * readiness check runs in the background, and a query that the owning instance answers is relayed
 * asynchronously. Answers say what the caller needs; exceptions and peer addresses go to the log.
 */
public final class HttpApi implements AutoCloseable {
    /** Set on a request forwarded to the instance that owns a key, so that it is never forwarded twice. */
    private static final String FORWARDED = "X-Preload-Forwarded";
    /** A connection that sends nothing, or receives nothing, for this long is closed. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration READINESS_INTERVAL = Duration.ofSeconds(10);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    private static final String JOBS = "/jobs/";
    private static final String LIST = "/jobs";
    private static final String LIST_UNAVAILABLE = "The list cannot be given whole right now: an instance that holds some"
            + " of the jobs is starting, moving partitions or not answering; try again.";
    /** The job's generation, on an answer of {@code GET /jobs/{Id}}. */
    public static final String GENERATION_HEADER = "Preload-Generation";

    private final Settings.Http settings;
    private final PrometheusMeterRegistry registry;
    private final Supplier<TopicStatus> topicCheck;
    private final Server server;
    private final ServerConnector connector;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService readiness = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "readiness");
        thread.setDaemon(true);
        return thread;
    });
    /** The SHA-256 of the bearer token; null: none is set, and job queries are refused. */
    private final byte[] tokenDigest;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    /** How many partitions the job store has. */
    private volatile int partitions;
    private final JobLists lists = new JobLists(client, FORWARD_TIMEOUT);
    private volatile TopicCheck topics = new TopicCheck(new TopicStatus(List.of("not checked yet"), List.of()),
            System.nanoTime());

    /**
     * What a check of the topics found.
     *
     * @param problems what stops this instance from doing its work: it is not ready while there are any
     * @param warnings what differs from {@code topics/} without stopping it: shown, and ready all the same
     */
    public record TopicStatus(List<String> problems, List<String> warnings) {
        public TopicStatus {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }

    /** The last check of the topics: what it found, and when it finished. */
    private record TopicCheck(TopicStatus status, long finishedNanos) {
    }

    /**
     * Binds the port at once, so that it is known before the Streams client is made; serves once
     * {@link #start() started}.
     *
     * @param topicCheck the topics' problems and warnings (called in the background)
     * @throws HttpSetupException when the port cannot be bound
     */
    public HttpApi(Settings.Http settings, PrometheusMeterRegistry registry, Supplier<TopicStatus> topicCheck) {
        this.settings = settings;
        this.registry = registry;
        this.topicCheck = topicCheck;
        String token = settings.authToken();
        this.tokenDigest = token == null ? null : sha256(token);
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(routes());
        // What Jetty answers itself (a malformed request, say): the status, as JSON, and nothing else.
        server.setErrorHandler((request, response, callback) -> {
            send(response, callback, response.getStatus(), problem(HttpStatus.getMessage(response.getStatus())));
            return true;
        });
        try {
            connector.open();
        } catch (IOException e) {
            throw new HttpSetupException("Cannot listen on " + settings.host() + ":" + settings.port()
                    + " for HTTP (set HTTP_PORT, or HTTP_ENABLED=false): " + e.getMessage(), e);
        }
    }

    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new HttpSetupException("Cannot start the HTTP interface on " + settings.host() + ":" + port()
                    + ": " + e.getMessage(), e);
        }
        readiness.scheduleWithFixedDelay(this::checkTopics, 0, READINESS_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("HTTP interface on {}:{} (/health/live, /health/ready, /metrics, /jobs/{Id}, /jobs?SiteId=...)",
                settings.host(), port());
    }

    public int port() {
        return connector.getLocalPort();
    }

    /**
     * The processor to report on; until then, nothing is live or ready.
     *
     * @param jobsTopic the jobs topic, whose partitions are the job store's
     * @param storePartitions how many partitions the job store has (those of the jobs topic)
     */
    public void serve(KafkaStreams processor, HostInfo thisInstance, String jobsTopic, int storePartitions) {
        this.self = thisInstance;
        this.partitions = storePartitions;
        lists.jobsTopic(jobsTopic);
        this.streams = processor;
    }

    @Override
    public void close() {
        readiness.shutdownNow();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the HTTP interface failed", e);
        }
    }

    /** One handler per path; any other path is a 404 that lists them. */
    private Handler routes() {
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(PathSpec.from("/health/live"), get((request, response, callback) -> live(response, callback)));
        routes.addMapping(PathSpec.from("/health/ready"), get((request, response, callback) -> ready(response, callback)));
        routes.addMapping(PathSpec.from("/metrics"), get((request, response, callback) -> metrics(response, callback)));
        routes.addMapping(PathSpec.from(JOBS + "*"), get(this::job));
        routes.addMapping(PathSpec.from("/"), get((request, response, callback) -> noSuchPath(request, response, callback)));
        return routes;
    }

    /** What a path answers; it completes the callback. */
    private interface Route {
        void answer(Request request, Response response, Callback callback);
    }

    /** A route that answers GET only; one that fails in our code gets a 500 without the exception's text. */
    private static Handler get(Route route) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    if ("GET".equals(request.getMethod())) {
                        route.answer(request, response, callback);
                    } else {
                        response.getHeaders().put(HttpHeader.ALLOW, "GET");
                        send(response, callback, 405, problem("Method " + request.getMethod() + " is not allowed; use GET."));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("HTTP request failed: {} {}", request.getMethod(), request.getHttpURI().getDecodedPath(), e);
                    send(response, callback, 500, problem("Internal error; the processor's log says more."));
                }
                return true;
            }
        };
    }

    private void metrics(Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        write(response, callback, 200, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void live(Response response, Callback callback) {
        KafkaStreams current = streams;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        boolean live = current != null && state.isRunningOrRebalancing();
        send(response, callback, live ? 200 : 503, status(live, state));
    }

    private void ready(Response response, Callback callback) {
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

    private void job(Request request, Response response, Callback callback) {
        // "/jobs/*" matches "/jobs" too: that is the list
        String path = request.getHttpURI().getDecodedPath();
        if (path.equals(LIST)) {
            list(request, response, callback);
            return;
        }
        if (path.length() < JOBS.length()) {
            noSuchPath(request, response, callback);
            return;
        }
        String id = path.substring(JOBS.length());
        if (!authorized(request)) {
            refuseUnauthorized(response, callback);
            return;
        }
        String requestId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        if (!JobId.isValid(id)) {
            send(response, callback, 400, ErrorEvent.of(ErrorCode.INVALID_PARAMETER_OBJECT_ID, requestId, id));
            return;
        }
        String aliUid;
        try {
            aliUid = Request.extractQueryParameters(request, StandardCharsets.UTF_8).getValue("AliUid");
        } catch (IllegalArgumentException | BadMessageException e) { // Jetty's own, for a malformed query
            send(response, callback, 400, problem("The query is not valid (AliUid=<account>, URL-encoded)."));
            return;
        }
        KafkaStreams current = streams;
        KeyQueryMetadata owner;
        try {
            owner = current == null || current.state() != KafkaStreams.State.RUNNING ? null
                    : current.queryMetadataForKey(ResetTopology.JOB_STORE, id, Serdes.String().serializer());
        } catch (IllegalStateException | InvalidStateStoreException notRunning) {
            owner = null; // the state changed under us: starting, rebalancing or stopping
        }
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            unavailable(response, callback);
            return;
        }
        if (!owner.activeHost().equals(self)) {
            if (request.getHeaders().contains(FORWARDED)) {
                unavailable(response, callback); // the instances disagree about who owns it: a rebalance is under way
            } else {
                forward(request, response, callback, owner.activeHost(), id, aliUid);
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
            unavailable(response, callback);
            return;
        }
        // The reset's checks, in its order: the job exists, then the caller is its owner.
        if (stored == null) {
            send(response, callback, 404, ErrorEvent.of(ErrorCode.INVALID_JOB_NOT_FOUND, requestId, id));
        } else if (aliUid == null || !aliUid.equals(stored.aliUid())) {
            send(response, callback, 403, ErrorEvent.of(ErrorCode.INVALID_UID_PERMISSION_DENIED, requestId, id));
        } else {
            // GetScheduledPreloadJob's response: a RequestId and the 14 fields of the job.
            response.getHeaders().put(GENERATION_HEADER, Long.toString(stored.generation()));
            send(response, callback, 200, new Snapshot(requestId, stored.job()));
        }
    }

    private void refuseUnauthorized(Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"preload-job-processor\"");
        send(response, callback, 401, problem(tokenDigest == null
                ? "Job queries are off: the processor has no HTTP_AUTH_TOKEN."
                : "Job queries need the header Authorization: Bearer <HTTP_AUTH_TOKEN>."));
    }

    /**
     * ListScheduledPreloadJobs: the query's checks in the contract's order, then the page, from every
     * instance. A request forwarded by another instance is answered with this instance's part of the
     * list, for the partitions that it names: its count and its first jobs, as many as the page needs.
     */
    private void list(Request request, Response response, Callback callback) {
        if (!authorized(request)) {
            refuseUnauthorized(response, callback);
            return;
        }
        String requestId = UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
        JobListQuery query;
        try {
            Fields parameters = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            query = JobListQuery.parse(parameters::getValues);
        } catch (JobListQuery.Refused refused) {
            ErrorEvent answer = refused.answer(requestId);
            send(response, callback, answer.httpStatusCode(), answer);
            return;
        } catch (IllegalArgumentException | BadMessageException e) { // Jetty's own, for a malformed query
            send(response, callback, 400, new ErrorEvent(requestId, null, ErrorCode.INVALID_PARAMETER.httpStatus(),
                    ErrorCode.INVALID_PARAMETER.code(), "The query is not URL-encoded UTF-8.", JobListQuery.PARAMETERS));
            return;
        }
        KafkaStreams current = streams;
        if (current == null) {
            unavailable(response, callback);
            return;
        }
        try {
            if (request.getHeaders().contains(FORWARDED)) {
                List<Integer> asked = JobLists.asked(request.getHeaders().get(JobLists.PARTITIONS), partitions);
                if (asked == null) {
                    send(response, callback, 400, problem("A forwarded list needs " + JobLists.PARTITIONS
                            + ": the partitions asked for, e.g. 0,3,5."));
                    return;
                }
                var part = lists.local(current, asked, query);
                send(response, callback, 200, new JobList(requestId, part.totalCount(), query.pageNumber(), query.pageSize(),
                        part.jobs().stream().map(cdn.preload.streams.JobIndex.Listed::job).toList()));
                return;
            }
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            String rawQuery = request.getHttpURI().getQuery();
            lists.list(current, self, partitions, query, requestId, peer -> HttpRequest
                            .newBuilder(JobLists.peerUri(peer, LIST, rawQuery))
                            .header(FORWARDED, "1")
                            .header(HttpHeader.AUTHORIZATION.asString(), authorization))
                    .whenComplete((list, failure) -> {
                        if (failure != null) {
                            JobLists.logUnavailable(failure);
                            unavailable(response, callback, LIST_UNAVAILABLE);
                        } else {
                            send(response, callback, 200, list);
                        }
                    });
        } catch (JobLists.Unavailable e) {
            JobLists.logUnavailable(e);
            unavailable(response, callback, LIST_UNAVAILABLE);
        }
    }

    /** The bearer token, compared in constant time (as digests, so that not even its length leaks). */
    private boolean authorized(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String prefix = "Bearer ";
        if (tokenDigest == null || header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        return MessageDigest.isEqual(tokenDigest, sha256(header.substring(prefix.length()).trim()));
    }

    /** Relays the owner's answer without holding a thread while it comes. */
    private void forward(Request request, Response response, Callback callback, HostInfo owner, String id, String aliUid) {
        String query = aliUid == null ? "" : "AliUid=" + URLEncoder.encode(aliUid, StandardCharsets.UTF_8);
        URI target;
        try {
            target = new URI("http", null, owner.host(), owner.port(), JOBS + id, null, null);
            target = URI.create(target + (query.isEmpty() ? "" : "?" + query));
        } catch (URISyntaxException e) {
            LOG.warn("Cannot reach the instance at {}:{}, which holds job {}: {}", owner.host(), owner.port(), id, e.toString());
            unavailable(response, callback);
            return;
        }
        HttpRequest forwarded = HttpRequest.newBuilder(target)
                .header(FORWARDED, "1")
                .header(HttpHeader.AUTHORIZATION.asString(), request.getHeaders().get(HttpHeader.AUTHORIZATION))
                .timeout(FORWARD_TIMEOUT).GET().build();
        client.sendAsync(forwarded, HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(FORWARD_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS)
                .whenComplete((answer, failure) -> {
                    try {
                        if (failure != null) {
                            LOG.warn("The instance at {}:{}, which holds job {}, did not answer: {}", owner.host(), owner.port(),
                                    id, failure.toString());
                            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
                            send(response, callback, 503, problem("The instance that holds this job did not answer; try again."));
                            return;
                        }
                        answer.headers().firstValue(HttpHeader.RETRY_AFTER.asString())
                                .ifPresent(retry -> response.getHeaders().put(HttpHeader.RETRY_AFTER, retry));
                        answer.headers().firstValue(HttpHeader.WWW_AUTHENTICATE.asString())
                                .ifPresent(challenge -> response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge));
                        answer.headers().firstValue(GENERATION_HEADER)
                                .ifPresent(generation -> response.getHeaders().put(GENERATION_HEADER, generation));
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        write(response, callback, answer.statusCode(), answer.body());
                    } catch (RuntimeException e) {
                        LOG.warn("Relaying the answer for job {} failed", id, e);
                        callback.failed(e);
                    }
                });
    }

    private static void noSuchPath(Request request, Response response, Callback callback) {
        send(response, callback, 404, problem("No such path: " + request.getHttpURI().getDecodedPath()
                + ". Paths: /health/live, /health/ready, /metrics, /jobs/{Id}, /jobs?SiteId=...&AliUid=...."));
    }

    private static void unavailable(Response response, Callback callback) {
        unavailable(response, callback, "The job store is not available right now (starting or rebalancing); try again.");
    }

    private static void unavailable(Response response, Callback callback, String message) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        send(response, callback, 503, problem(message));
    }

    private static ObjectNode status(boolean up, KafkaStreams.State state) {
        return Json.MAPPER.createObjectNode().put("status", up ? "UP" : "DOWN").put("state", state.name());
    }

    private static ObjectNode problem(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    private static void send(Response response, Callback callback, int status, Object body) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        write(response, callback, status, Json.write(body));
    }

    private static void write(Response response, Callback callback, int status, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
