package cdn.preload.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoredJobTest {
    private static final String ID = "665d3af3621bccf3fe29e1a4";
    private static final String OWNER = "15685865xxx14622";

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
