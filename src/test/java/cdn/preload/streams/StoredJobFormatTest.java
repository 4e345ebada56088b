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
    void theDigestOfAJobAtZeroIsTheFirstHalfOfItsDocumentsSha256AndReadsBack() throws Exception {
        Job atZero = JOB.restarted();
        StoredJob stored = new StoredJob(atZero, new long[] {1});
        byte[] expected = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(Json.write(atZero)), 16);

        byte[] digest = new byte[16];
        StoredJob read = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(stored));
        read.copyDigest(digest, 0);
        assertThat(digest).isEqualTo(expected);
        assertThat(stored.hasDigest(expected, 0)).isTrue();
        assertThat(read.hasDigest(expected, 0)).isTrue();
        assertThat(read.restarted(new long[] {9}).hasDigest(expected, 0)).as("restarted again: the same document").isTrue();
        assertThat(read.withJob(JOB.restarted().withCounters(0, 0), Json.write(atZero)).hasDigest(expected, 0)).isTrue();
        assertThat(new StoredJob(exampleRenamed().restarted(), new long[0]).hasDigest(expected, 0)).as("another version").isFalse();
    }

    @Test
    void aJobInProgressIsStoredWithoutADigestAndHasNone() throws Exception {
        StoredJob inProgress = new StoredJob(JOB, new long[] {1});
        byte[] itsDigest = java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(Json.write(JOB)), 16);

        byte[] bytes = StoredJobFormat.toBytes(inProgress);
        StoredJob read = StoredJobFormat.fromBytes(bytes);

        assertThat(bytes).hasSize(StoredJobFormat.toBytes(new StoredJob(JOB.restarted(), new long[] {1})).length - 16);
        assertThat(read).isEqualTo(inProgress);
        assertThat(read.hasDigest(itsDigest, 0)).as("a snapshot never showed a job in progress").isFalse();
    }

    private static Job exampleRenamed() {
        return new Job(ID, "renamed", JOB.siteId(), OWNER, JOB.domains(), JOB.taskType(), JOB.insertWay(), JOB.fileId(),
                JOB.urlCount(), JOB.urlSubmitted(), JOB.taskSubmitted(), JOB.errorInfo(), JOB.failedFileOss(), JOB.createdAt());
    }

    @Test
    void aJobStoredByTheVersionBeforeGenerationsReadsBackAtGenerationZeroAndIsWrittenAgainWithIt() {
        StoredJob stored = new StoredJob(JOB, new long[] {5, 7});
        byte[] formatTwo = earlierFormat(2, JOB, new long[] {5, 7});

        StoredJob read = StoredJobFormat.fromBytes(formatTwo);

        assertThat(read).isEqualTo(stored);
        assertThat(read.generation()).isZero();
        assertThat(read.job()).isEqualTo(JOB);
        assertThat(StoredJobFormat.toBytes(read)).isEqualTo(StoredJobFormat.toBytes(stored));
        assertThat(StoredJobFormat.toBytes(read)[0]).as("the current format").isEqualTo((byte) 3);
    }

    @Test
    void theFormatWithoutDigestIsStillReadAndItsDigestComputed() {
        StoredJob stored = new StoredJob(JOB, new long[] {5});

        StoredJob read = StoredJobFormat.fromBytes(earlierFormat(1, JOB, new long[] {5}));

        assertThat(read).isEqualTo(stored);
        assertThat(StoredJobFormat.toBytes(read)).isEqualTo(StoredJobFormat.toBytes(stored));
    }

    @Test
    void theGenerationReadsBack() {
        StoredJob stored = StoredJob.of(JOB).restarted(new long[] {1}).restarted(new long[] {1, 2});

        StoredJob read = StoredJobFormat.fromBytes(StoredJobFormat.toBytes(stored));

        assertThat(read.generation()).isEqualTo(2);
        assertThat(read).isEqualTo(new StoredJob(JOB.restarted(), new long[] {1, 2}, 2));
    }

    /**
     * A job as the versions before generations stored it, spelled from their format rather than
     * from today's writer: format 2 (a format byte, the number of recent resets (4 bytes) and each
     * (8 bytes), the owner's length (4 bytes) and UTF-8 bytes, 1 when the progress is at zero, the
     * document's 16-byte digest, the document), or format 1, the same without the digest.
     */
    static byte[] earlierFormat(int format, Job job, long[] resets) {
        byte[] document = Json.write(job);
        byte[] owner = job.aliUid().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        boolean atStart = Integer.valueOf(0).equals(job.urlSubmitted()) && Integer.valueOf(0).equals(job.taskSubmitted());
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(1 + 4 + 8 * resets.length + 4 + owner.length + 1
                + (format == 2 ? 16 : 0) + document.length);
        bytes.put((byte) format).putInt(resets.length);
        for (long reset : resets) {
            bytes.putLong(reset);
        }
        bytes.putInt(owner.length).put(owner).put((byte) (atStart ? 1 : 0));
        if (format == 2) {
            try {
                bytes.put(java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(document), 16));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return bytes.put(document).array();
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
        assertThat(twice).isEqualTo(new StoredJob(JOB.restarted(), new long[] {1, 2}, 2));
        assertThat(StoredJob.of(JOB).sameDocument(once)).isFalse();
    }
}
