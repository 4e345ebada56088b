package cdn.preload.app.http;

import cdn.preload.domain.JobList;
import cdn.preload.domain.JobListQuery;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import cdn.preload.streams.JobIndex;
import cdn.preload.streams.ResetTopology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ListScheduledPreloadJobs} across instances: the instance asked finds, in the Streams
 * client's metadata, which instance holds each partition of the job store; reads its own partitions'
 * parts from the index ({@link JobIndex#scan}); asks every other instance for exactly the partitions
 * it holds, without holding a thread while they answer; and pages the merged parts. A list is whole
 * or not given: a partition that no instance holds, a peer that does not answer in time or answers
 * anything but its part, or a store that is moving, makes the list {@link Unavailable}.
 */
final class JobLists {
    /** On a request for an instance's part of a list: the partitions it is asked for, e.g. {@code 0,3,5}. */
    static final String PARTITIONS = "X-Preload-Partitions";
    private static final Logger LOG = LoggerFactory.getLogger(JobLists.class);

    private final HttpClient client;
    private final Duration timeout;
    /** The jobs topic: the job store's tasks are those of its partitions. */
    private volatile String jobsTopic;

    /** The list cannot be given whole now; the message says why, for the log. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    JobLists(HttpClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /**
     * The whole list's page, from every instance.
     *
     * @param partitions how many partitions the job store has
     * @param forward the caller's request to an instance at {@code HostInfo}, for its part of the list
     *        (the query and the caller's token; {@link #PARTITIONS} is added)
     */
    /** The jobs topic, whose partitions are the job store's. */
    void jobsTopic(String topic) {
        this.jobsTopic = topic;
    }

    CompletableFuture<JobList> list(KafkaStreams streams, HostInfo self, int partitions, JobListQuery query,
                                    String requestId, java.util.function.Function<HostInfo, HttpRequest.Builder> forward) {
        Map<HostInfo, SortedSet<Integer>> holders = holders(streams, partitions);
        List<CompletableFuture<JobIndex.Part>> parts = new ArrayList<>();
        for (Map.Entry<HostInfo, SortedSet<Integer>> holder : holders.entrySet()) {
            if (holder.getKey().equals(self)) {
                parts.add(CompletableFuture.completedFuture(local(streams, holder.getValue(), query)));
            } else {
                parts.add(ask(holder.getKey(), holder.getValue(), forward.apply(holder.getKey())));
            }
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done ->
                JobIndex.page(requestId, query, parts.stream().map(CompletableFuture::join).toList()));
    }

    /** This instance's part for the partitions asked, each held here as an active task, while nothing moves. */
    JobIndex.Part local(KafkaStreams streams, Iterable<Integer> partitions, JobListQuery query) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable("the processor is " + streams.state());
        }
        List<JobIndex.Part> parts = new ArrayList<>();
        try {
            for (int partition : partitions) {
                ReadOnlyKeyValueStore<Bytes, byte[]> index = streams.store(StoreQueryParameters.fromNameAndType(
                        ResetTopology.JOB_INDEX, QueryableStoreTypes.<Bytes, byte[]>keyValueStore()).withPartition(partition));
                ReadOnlyKeyValueStore<String, StoredJob> jobs = streams.store(StoreQueryParameters.fromNameAndType(
                        ResetTopology.JOB_STORE, QueryableStoreTypes.<String, StoredJob>keyValueStore()).withPartition(partition));
                parts.add(JobIndex.scan(index, jobs, query));
            }
        } catch (InvalidStateStoreException | IllegalStateException e) {
            throw new Unavailable("this instance cannot read its partitions " + partitions + ": " + e.getMessage());
        }
        return JobIndex.merge(parts, query.throughPage());
    }

    /** Which instance holds each partition of the job store, as this one sees it; every partition must have one. */
    private Map<HostInfo, SortedSet<Integer>> holders(KafkaStreams streams, int partitions) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new Unavailable("the processor is " + streams.state());
        }
        Map<HostInfo, SortedSet<Integer>> holders = new TreeMap<>(
                java.util.Comparator.comparing(HostInfo::host).thenComparingInt(HostInfo::port));
        SortedSet<Integer> held = new TreeSet<>();
        try {
            for (StreamsMetadata instance : streams.streamsMetadataForStore(ResetTopology.JOB_STORE)) {
                for (TopicPartition partition : instance.topicPartitions()) {
                    if (partition.topic().equals(jobsTopic) && held.add(partition.partition())) {
                        holders.computeIfAbsent(instance.hostInfo(), host -> new TreeSet<>()).add(partition.partition());
                    }
                }
            }
        } catch (IllegalStateException | InvalidStateStoreException e) {
            throw new Unavailable("the processor's metadata is not available: " + e.getMessage());
        }
        if (held.size() != partitions) {
            throw new Unavailable("partitions of the job store held by no instance: " + missing(held, partitions));
        }
        return holders;
    }

    private CompletableFuture<JobIndex.Part> ask(HostInfo peer, SortedSet<Integer> partitions, HttpRequest.Builder request) {
        String asked = partitions.stream().map(String::valueOf).collect(Collectors.joining(","));
        return client.sendAsync(request.header(PARTITIONS, asked).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        throw new Unavailable("the instance at " + peer + " (partitions " + asked + ") did not answer: " + failure);
                    }
                    if (answer.statusCode() != 200) {
                        throw new Unavailable("the instance at " + peer + " (partitions " + asked + ") answered "
                                + answer.statusCode() + ": " + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    return JobIndex.part(Json.read(answer.body(), JobList.class));
                });
    }

    /** The partitions asked for in a request for an instance's part; null when the header is not a list of them. */
    static List<Integer> asked(String header, int partitions) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        List<Integer> asked = new ArrayList<>();
        for (String part : header.split(",", -1)) {
            try {
                int partition = Integer.parseInt(part.trim());
                if (partition < 0 || partition >= partitions) {
                    return null;
                }
                asked.add(partition);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return asked;
    }

    private static String missing(SortedSet<Integer> held, int partitions) {
        List<Integer> missing = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            if (!held.contains(partition)) {
                missing.add(partition);
            }
        }
        return missing.toString();
    }

    static URI peerUri(HostInfo peer, String path, String rawQuery) {
        return URI.create("http://" + peer.host() + ":" + peer.port() + path + (rawQuery == null ? "" : "?" + rawQuery));
    }

    static void logUnavailable(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof Unavailable) {
            LOG.info("A list of jobs was answered 503: {}", cause.getMessage());
        } else {
            LOG.warn("A list of jobs failed", cause);
        }
    }
}
