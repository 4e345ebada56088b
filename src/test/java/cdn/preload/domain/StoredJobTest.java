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
    void theBinaryFormReadsBackTheSameJobHistoryAndOwner() {
        StoredJob stored = new StoredJob(JOB, new long[] {1_000, 61_000, Long.MAX_VALUE});
        StoredJob read = StoredJob.fromBytes(stored.toBytes());

        assertThat(read).isEqualTo(stored);
        assertThat(read.job()).isEqualTo(JOB);
        assertThat(read.aliUid()).isEqualTo(OWNER);
        assertThat(read.recentResets()).containsExactly(1_000, 61_000, Long.MAX_VALUE);
    }

    @Test
    void theDigestIsTheFirstHalfOfTheDocumentsSha256AndReadsBack() throws Exception {
        StoredJob stored = new StoredJob(JOB, new long[] {1});
        byte[] expected = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(Json.write(JOB)), 16);

        byte[] digest = new byte[16];
        StoredJob.fromBytes(stored.toBytes()).copyDigest(digest, 0);
        assertThat(digest).isEqualTo(expected);
        assertThat(stored.hasDigest(expected, 0)).isTrue();
        assertThat(new StoredJob(JOB.restarted(), new long[0]).hasDigest(expected, 0)).as("another version").isFalse();
        StoredJob atStart = StoredJob.fromBytes(new StoredJob(JOB.restarted(), new long[0]).toBytes());
        byte[] ofTheRestartedJob = java.util.Arrays.copyOf(
                java.security.MessageDigest.getInstance("SHA-256").digest(Json.write(JOB.restarted())), 16);
        assertThat(atStart.restarted(new long[] {9}).hasDigest(ofTheRestartedJob, 0)).as("restarted again: the same document")
                .isTrue();
        assertThat(atStart.withJob(JOB).hasDigest(expected, 0)).as("replaced by another version").isTrue();
    }

    @Test
    void theFormatWithoutDigestIsStillReadAndItsDigestComputed() {
        StoredJob stored = new StoredJob(JOB, new long[] {5});
        byte[] current = stored.toBytes();
        // format 1: the same bytes without the 16-byte digest before the document
        int documentStart = current.length - Json.write(JOB).length;
        byte[] formatOne = new byte[current.length - 16];
        System.arraycopy(current, 0, formatOne, 0, documentStart - 16);
        System.arraycopy(current, documentStart, formatOne, documentStart - 16, current.length - documentStart);
        formatOne[0] = 1;

        StoredJob read = StoredJob.fromBytes(formatOne);

        assertThat(read).isEqualTo(stored);
        assertThat(read.toBytes()).isEqualTo(current);
    }

    @Test
    void aJobWithoutOwnerOrProgressReadsBackAsSuch() {
        Job bare = new Job(ID, null, null, null, null, null, null, null, null, null, null, null, null, null);
        StoredJob read = StoredJob.fromBytes(StoredJob.of(bare).toBytes());

        assertThat(read.job()).isEqualTo(bare);
        assertThat(read.aliUid()).isNull();
        assertThat(read.recentResets()).isEmpty();
        assertThat(read.restarted(new long[] {5}).job().urlSubmitted()).isZero();
    }

    @Test
    void theJsonFormOfEarlierVersionsIsStillRead() {
        byte[] earlier = ("{\"Job\":" + new String(Json.write(JOB), StandardCharsets.UTF_8) + ",\"Resets\":[7,8]}")
                .getBytes(StandardCharsets.UTF_8);

        assertThat(StoredJob.fromBytes(earlier)).isEqualTo(new StoredJob(JOB, new long[] {7, 8}));
    }

    @Test
    void restartingAJobInProgressZeroesItAndRestartingItAgainKeepsTheSameDocument() {
        StoredJob once = StoredJob.of(JOB).restarted(new long[] {1});
        StoredJob twice = StoredJob.fromBytes(once.toBytes()).restarted(new long[] {1, 2});

        assertThat(once.job()).isEqualTo(JOB.restarted());
        assertThat(twice.sameDocument(once)).isTrue();
        assertThat(twice).isEqualTo(new StoredJob(JOB.restarted(), new long[] {1, 2}));
        assertThat(StoredJob.of(JOB).sameDocument(once)).isFalse();
    }
}
