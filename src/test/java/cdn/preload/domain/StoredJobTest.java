package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class StoredJobTest {
    private static final String ID = "665d3af3621bccf3fe29e1a4";
    private static final String OWNER = "15685865xxx14622";
    private static final Job JOB = new Job(ID, "example", 190007158391808L, OWNER, "testurl.com", "preload", "oss",
            "665d3b48621bccf3fe29e1a7", 2, 1, 1, "invalid domain:test.com", "https://oss/failed", "2024-06-02T02:23:26Z");

    @ParameterizedTest
    @ValueSource(strings = {"15C66C7B-671A-4297-9187-2C4477247A74", "", "quote \" and backslash \\", "tab\tnewline\n\u0001",
            "é, 日本, 😀", "</script>"})
    void aSnapshotIsTheSnapshotWrittenAsJsonByteForByte(String requestId) {
        StoredJob stored = new StoredJob(JOB.restarted(), new long[] {1, 2});

        assertThat(new String(stored.snapshot(requestId), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(new Snapshot(requestId, JOB.restarted())), StandardCharsets.UTF_8));
    }

    @Test
    void aJobStateIsTheGenerationThenTheJobWrittenAsJson() throws Exception {
        StoredJob stored = new StoredJob(JOB, new long[] {1}, 12);

        com.fasterxml.jackson.databind.node.ObjectNode expected = Json.MAPPER.valueToTree(JOB);
        expected.put("Generation", 12);
        assertThat(Json.MAPPER.readTree(stored.state())).isEqualTo(expected);
        assertThat(new String(stored.state(), StandardCharsets.UTF_8)).startsWith("{\"Generation\":12,\"AliUid\":");
    }

    /**
     * Progress is merged into the document without parsing it: for jobs of every shape (counters
     * null, negative, at the int32 limits; strings that spell the counters' keys, quotes and
     * backslashes), the document is byte for byte the merged job written as JSON.
     */
    @Test
    void progressMergedIntoTheDocumentIsTheMergedJobWrittenAsJson() {
        java.util.Random random = new java.util.Random(7);
        Integer[] counters = {null, 0, 1, 9, 10, -1, -100, 12345, Integer.MAX_VALUE, Integer.MIN_VALUE};
        String[] texts = {null, "", "\"UrlSubmitted\":5", "x\",\"TaskSubmitted\":7,\"y", "a\\", "\\\"", "日本 😀", "}", ","};
        for (int i = 0; i < 2_000; i++) {
            Job job = new Job(ID, texts[random.nextInt(texts.length)], random.nextBoolean() ? null : 5L, OWNER,
                    texts[random.nextInt(texts.length)], "preload", "oss", texts[random.nextInt(texts.length)],
                    counters[random.nextInt(counters.length)], counters[random.nextInt(counters.length)],
                    counters[random.nextInt(counters.length)], texts[random.nextInt(texts.length)],
                    texts[random.nextInt(texts.length)], texts[random.nextInt(texts.length)]);
            int url = random.nextInt(3) == 0 ? Integer.MAX_VALUE : random.nextInt(20);
            int task = random.nextInt(20);
            StoredJob stored = new StoredJob(job, new long[] {3}, 4);

            StoredJob merged = stored.withProgress(url, task);

            Integer expectedUrl = job.urlSubmitted() == null ? url : Math.max(job.urlSubmitted(), url);
            Integer expectedTask = job.taskSubmitted() == null ? task : Math.max(job.taskSubmitted(), task);
            Job expected = job.withCounters(expectedUrl, expectedTask);
            if (expected.equals(job)) {
                assertThat(merged).as(job.toString()).isSameAs(stored);
            } else {
                assertThat(merged).as(job.toString()).isEqualTo(new StoredJob(expected, new long[] {3}, 4));
                assertThat(merged.job()).isEqualTo(expected);
                assertThat(merged.atStart()).isEqualTo(expectedUrl == 0 && expectedTask == 0);
                assertThat(merged.aliUid()).isEqualTo(OWNER);
            }
        }
    }
}
