package cdn.preload.app.http;

import static cdn.preload.app.http.Answers.noSuchPath;
import static cdn.preload.app.http.Answers.problem;
import static cdn.preload.app.http.Answers.send;
import static cdn.preload.app.http.Answers.unavailable;
import static cdn.preload.app.http.Answers.write;

import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.ErrorEvent;
import cdn.preload.domain.JobId;
import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.ResetDecision;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.ResetTopology;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
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
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queries: {@code GET /jobs/{Id}} (GetScheduledPreloadJob, from whichever instance owns the
 * key) and {@code GET /jobs} (ListScheduledPreloadJobs, from every instance, {@link JobLists}), for
 * a caller with the bearer token. A query that another instance answers is relayed asynchronously,
 * never holding a thread while it comes.
 */
final class JobQueries {
    /** Set on a request forwarded to the instance that owns a key, so that it is never forwarded twice. */
    private static final String FORWARDED = "X-Preload-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(JobQueries.class);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    static final String JOBS = "/jobs/";
    private static final String LIST = "/jobs";
    private static final String LIST_UNAVAILABLE = "The list cannot be given whole right now: an instance that holds some"
            + " of the jobs is starting, moving partitions or not answering; try again.";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    /** The SHA-256 of the bearer token; null: none is set, and job queries are refused. */
    private final byte[] tokenDigest;
    private final JobLists lists = new JobLists(client, FORWARD_TIMEOUT);
    private volatile KafkaStreams streams;
    private volatile HostInfo self;
    /** How many partitions the job store has. */
    private volatile int partitions;

    /** @param token the bearer token queries need; null: none, and every query is refused */
    JobQueries(String token) {
        this.tokenDigest = token == null ? null : sha256(token);
    }

    /**
     * The processor whose stores to query; until then, every query is a 503.
     *
     * @param jobsTopic the jobs topic, whose partitions are the job store's
     * @param storePartitions how many partitions the job store has (those of the jobs topic)
     */
    void serve(KafkaStreams processor, HostInfo thisInstance, String jobsTopic, int storePartitions) {
        this.self = thisInstance;
        this.partitions = storePartitions;
        lists.jobsTopic(jobsTopic);
        this.streams = processor;
    }

    void job(Request request, Response response, Callback callback) {
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
        ErrorCode refused = ResetDecision.refusal(stored, aliUid); // the reset's checks, in its order
        if (refused != null) {
            send(response, callback, refused.httpStatus(), ErrorEvent.of(refused, requestId, id));
        } else {
            // GetScheduledPreloadJob's response: a RequestId and the 14 fields of the job.
            response.getHeaders().put(HttpApi.GENERATION_HEADER, Long.toString(stored.generation()));
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
                        answer.headers().firstValue(HttpApi.GENERATION_HEADER)
                                .ifPresent(generation -> response.getHeaders().put(HttpApi.GENERATION_HEADER, generation));
                        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                        write(response, callback, answer.statusCode(), answer.body());
                    } catch (RuntimeException e) {
                        LOG.warn("Relaying the answer for job {} failed", id, e);
                        callback.failed(e);
                    }
                });
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
