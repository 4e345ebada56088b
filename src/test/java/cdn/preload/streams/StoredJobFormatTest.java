package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.StoredJob;
import org.junit.jupiter.api.Test;

class StoredJobFormatTest {
    private static final String ID = Examples.EXAMPLE_ID;
    private static final String OWNER = Examples.EXAMPLE_UID;
    private static final Job JOB = Examples.EXAMPLE_JOB;

    @Test
    void theBinaryFormReadsBackTheSameJobHistoryAndOwner() {
        StoredJob stored = new StoredJob(JOB, new long[] {1_000, 61_000, Long.MAX_VALUE});
        StoredJob read = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(stored));

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
        StoredJobFormat.fromBytes(StoredJobFormat.toBytes(stored)).copyDigest(digest, 0);
        assertThat(digest).isEqualTo(expected);
        assertThat(stored.hasDigest(expected, 0)).isTrue();
        assertThat(new StoredJob(JOB.restarted(), new long[0]).hasDigest(expected, 0)).as("another version").isFalse();
        StoredJob atStart = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(new StoredJob(JOB.restarted(), new long[0])));
        byte[] ofTheRestartedJob = java.util.Arrays.copyOf(
                java.security.MessageDigest.getInstance("SHA-256").digest(Json.write(JOB.restarted())), 16);
        assertThat(atStart.restarted(new long[] {9}).hasDigest(ofTheRestartedJob, 0)).as("restarted again: the same document")
                .isTrue();
        assertThat(atStart.withJob(JOB).hasDigest(expected, 0)).as("replaced by another version").isTrue();
    }

    @Test
    void theFormatWithoutDigestIsStillReadAndItsDigestComputed() {
        StoredJob stored = new StoredJob(JOB, new long[] {5});
        byte[] current = StoredJobFormat.toBytes(stored);
        // format 1: the same bytes without the 16-byte digest before the document
        int documentStart = current.length - Json.write(JOB).length;
        byte[] formatOne = new byte[current.length - 16];
        System.arraycopy(current, 0, formatOne, 0, documentStart - 16);
        System.arraycopy(current, documentStart, formatOne, documentStart - 16, current.length - documentStart);
        formatOne[0] = 1;

        StoredJob read = StoredJobFormat.fromBytes(formatOne);

        assertThat(read).isEqualTo(stored);
        assertThat(StoredJobFormat.toBytes(read)).isEqualTo(current);
    }

    @Test
    void aJobWithoutOwnerOrProgressReadsBackAsSuch() {
        Job bare = new Job(ID, null, null, null, null, null, null, null, null, null, null, null, null, null);
        StoredJob read = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(StoredJob.of(bare)));

        assertThat(read.job()).isEqualTo(bare);
        assertThat(read.aliUid()).isNull();
        assertThat(read.recentResets()).isEmpty();
        assertThat(read.restarted(new long[] {5}).job().urlSubmitted()).isZero();
    }

    @Test
    void restartingAJobInProgressZeroesItAndRestartingItAgainKeepsTheSameDocument() {
        StoredJob once = StoredJob.of(JOB).restarted(new long[] {1});
        StoredJob twice = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(once)).restarted(new long[] {1, 2});

        assertThat(once.job()).isEqualTo(JOB.restarted());
        assertThat(twice.sameDocument(once)).isTrue();
        assertThat(twice).isEqualTo(new StoredJob(JOB.restarted(), new long[] {1, 2}));
        assertThat(StoredJob.of(JOB).sameDocument(once)).isFalse();
    }
}
