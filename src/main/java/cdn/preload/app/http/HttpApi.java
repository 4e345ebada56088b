package cdn.preload.app.http;

import static cdn.preload.app.http.Answers.problem;
import static cdn.preload.app.http.Answers.send;

import cdn.preload.config.Settings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
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
 * <p>This class is the server and its routes; {@link Health} answers health, {@link JobQueries} the
 * job queries, {@link Answers} writes what they answer. Nothing a caller does holds the threads that
 * health answers on: Jetty reads a request without a thread until it is whole (a half-sent request
 * holds a connection, until the idle timeout), the readiness check runs in the background, and a
 * query that the owning instance answers is relayed asynchronously. Answers say what the caller
 * needs; exceptions and peer addresses go to the log.
 */
public final class HttpApi implements AutoCloseable {
    /** A connection that sends nothing, or receives nothing, for this long is closed. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** The job's generation, on an answer of {@code GET /jobs/{Id}}. */
    public static final String GENERATION_HEADER = "Preload-Generation";

    private final Settings.Http settings;
    private final PrometheusMeterRegistry registry;
    private final Server server;
    private final ServerConnector connector;
    private final Health health;
    private final JobQueries queries;

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
        this.health = new Health(topicCheck);
        this.queries = new JobQueries(settings.authToken());
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
        health.start();
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
        queries.serve(processor, thisInstance, jobsTopic, storePartitions);
        health.serve(processor);
    }

    @Override
    public void close() {
        health.close();
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the HTTP interface failed", e);
        }
    }

    /** One handler per path; any other path is a 404 that lists them. */
    private Handler routes() {
        PathMappingsHandler routes = new PathMappingsHandler();
        routes.addMapping(PathSpec.from("/health/live"), get((request, response, callback) -> health.live(response, callback)));
        routes.addMapping(PathSpec.from("/health/ready"), get((request, response, callback) -> health.ready(response, callback)));
        routes.addMapping(PathSpec.from("/metrics"), get((request, response, callback) -> metrics(response, callback)));
        routes.addMapping(PathSpec.from(JobQueries.JOBS + "*"), get(queries::job));
        routes.addMapping(PathSpec.from("/"), get(Answers::noSuchPath));
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
        Answers.write(response, callback, 200, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
}
