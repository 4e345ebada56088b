package cdn.preload.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A job of the benchmark: its JSON is rendered when published, so a million of them fit in memory.
 *
 * @param sites how many sites the jobs are spread over: job {@code index} is on site
 *        {@code index % sites}, created {@code index} seconds after {@link #CREATED}; 0: each job on
 *        a site of its own, all created at {@link #CREATED} (the drains' jobs)
 */
record BenchJob(int index, String id, int sites) {
    /** The job's UrlSubmitted and TaskSubmitted, as published. */
    static final int SUBMITTED = 1;
    /** The accounts: job {@code index} is account {@code index % ACCOUNTS}'s. */
    static final int ACCOUNTS = 5_000;
    static final long FIRST_SITE = 190007158391808L;
    static final Instant CREATED = Instant.parse("2024-06-02T02:23:26Z");

    /** {@code count} jobs with random Ids from {@code random}, each on a site of its own. */
    static List<BenchJob> generate(int count, Random random) {
        return generate(count, 0, random);
    }

    /**
     * {@code count} jobs with random Ids from {@code random}, over {@code sites} sites (0: one each).
     * With {@code sites} a multiple of {@link #ACCOUNTS}, all jobs of a site are one account's, and
     * each site has {@code count / sites} jobs (one more for the first {@code count % sites} sites).
     */
    static List<BenchJob> generate(int count, int sites, Random random) {
        List<BenchJob> list = new ArrayList<>(count);
        char[] id = new char[24];
        for (int i = 0; i < count; i++) {
            for (int d = 0; d < 24; d++) {
                id[d] = Character.forDigit(random.nextInt(16), 16);
            }
            list.add(new BenchJob(i, new String(id), sites));
        }
        return list;
    }

    String aliUid() {
        return "15685865" + (100000000 + index % ACCOUNTS);
    }

    long siteId() {
        return FIRST_SITE + (sites == 0 ? index : index % sites);
    }

    String createdAt() {
        return sites == 0 ? CREATED.toString() : CREATED.plusSeconds(index).toString();
    }

    /** The size of the API page's example (about 450 bytes of JSON). */
    byte[] json() {
        return ("{\"Id\":\"" + id + "\",\"Name\":\"example-" + index + "\",\"SiteId\":" + siteId()
                + ",\"AliUid\":\"" + aliUid() + "\",\"Domains\":\"testurl" + index + ".com\",\"TaskType\":\"preload\","
                + "\"InsertWay\":\"oss\",\"FileId\":\"665d3b48621bccf3fe29e1a7\",\"UrlCount\":2,\"UrlSubmitted\":" + SUBMITTED + ","
                + "\"TaskSubmitted\":" + SUBMITTED + ",\"ErrorInfo\":\"invalid domain:test.com\",\"FailedFileOss\":"
                + "\"https://xxxobject.oss-cn-reginon.aliyuncs.com/9d91_xxxxxxxxxxx_158bb6e0f97c477791209bb46bd599f7\","
                + "\"CreatedAt\":\"" + createdAt() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A reset command for this job. */
    byte[] command(String requestId) {
        return ("{\"RequestId\":\"" + requestId + "\",\"Id\":\"" + id
                + "\",\"AliUid\":\"" + aliUid() + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A progress report of generation 0, the job's as published, with both counters at {@code submitted}. */
    byte[] progress(int submitted) {
        return ("{\"Id\":\"" + id + "\",\"Generation\":0,\"UrlSubmitted\":" + submitted + ",\"TaskSubmitted\":" + submitted
                + "}").getBytes(StandardCharsets.UTF_8);
    }
}
