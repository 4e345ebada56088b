package cdn.preload.bench;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.testing.Partitioners;
import cdn.preload.testing.Wait;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A benchmarked processor asked over its HTTP interface (its environment says where, and its token). */
final class ProcessorProbe {
    /** How long the benchmark waits for a processor to be ready, or for its jobs to be stored. */
    static final Duration PATIENCE = Duration.ofMinutes(20);
    /** How long a wait gives the processor between two questions. */
    private static final Duration ASK_AGAIN = Duration.ofMillis(20);
    private static final int JOB_PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json;

    ProcessorProbe(ObjectMapper json) {
        this.json = json;
    }

    /** Waits until the processor of {@code env} answers {@code /health/ready} with 200. */
    void awaitRunning(Map<String, String> env) {
        await(() -> status(env, "/health/ready") == 200, "the processor to be ready");
    }

    /** Waits until the last job of each partition of the jobs topic is stored: then every job is. */
    void awaitLoaded(Map<String, String> env, List<BenchJob> jobList) {
        Map<Integer, BenchJob> last = new HashMap<>();
        for (BenchJob job : jobList) {
            last.put(Partitioners.murmur2(job.id().getBytes(StandardCharsets.UTF_8), JOB_PARTITIONS), job);
        }
        for (BenchJob job : last.values()) {
            await(() -> status(env, "/jobs/" + job.id() + "?AliUid=" + job.aliUid()) == 200, "job " + job.id() + " to be stored");
        }
    }

    /** Waits until the processor answers a whole list of the site's jobs that the account owns, of {@code count} jobs. */
    void awaitList(Map<String, String> env, long siteId, String aliUid, long count) {
        await(() -> listed(env, "/jobs?SiteId=" + siteId + "&AliUid=" + aliUid) == count,
                "a list of site " + siteId + " of " + count + " jobs");
    }

    /** The TotalCount of a list; -1 when it is not answered 200. */
    private long listed(Map<String, String> env, String path) {
        try {
            HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("HTTP_PORT") + path))
                    .header("Authorization", "Bearer " + env.get("HTTP_AUTH_TOKEN"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return answer.statusCode() == 200 ? json.readTree(answer.body()).get("TotalCount").asLong() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The heap the processor uses and may use, in MB, from its {@code /metrics}. */
    ObjectNode heap(Map<String, String> env) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("HTTP_PORT") + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double used = 0;
        double max = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                used += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("jvm_memory_max_bytes{area=\"heap\"")) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                max += Math.max(0, value);
            }
        }
        return json.createObjectNode().put("usedMB", Math.round(used / (1 << 20))).put("maxMB", Math.round(max / (1 << 20)));
    }

    private int status(Map<String, String> env, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.get("HTTP_PORT") + path))
                    .header("Authorization", "Bearer " + env.get("HTTP_AUTH_TOKEN"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void await(java.util.concurrent.Callable<Boolean> condition, String what) {
        Wait.atMost(PATIENCE, ASK_AGAIN).alias(what).until(condition);
    }
}
