package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.domain.StoredJob;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Snapshots and job states spliced from a stored job's document are the documents written as JSON. */
class JobDocumentsTest {
    private static final Job JOB = new Job("665d3af3621bccf3fe29e1a4", "example", 190007158391808L, "15685865xxx14622",
            "testurl.com", "preload", "oss", "665d3b48621bccf3fe29e1a7", 2, 1, 1, "invalid domain:test.com",
            "https://oss/failed", "2024-06-02T02:23:26Z");

    @ParameterizedTest
    @ValueSource(strings = {"15C66C7B-671A-4297-9187-2C4477247A74", "", "quote \" and backslash \\", "tab\tnewline\n\u0001",
            "é, 日本, 😀", "</script>"})
    void aSnapshotIsTheSnapshotWrittenAsJsonByteForByte(String requestId) {
        StoredJob stored = new StoredJob(JOB.restarted(), new long[] {1, 2});

        assertThat(new String(JobDocuments.snapshot(stored, requestId), StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.write(new Snapshot(requestId, JOB.restarted())), StandardCharsets.UTF_8));
    }

    @Test
    void aJobStateIsTheGenerationThenTheJobWrittenAsJson() throws Exception {
        StoredJob stored = new StoredJob(JOB, new long[] {1}, 12);

        ObjectNode expected = Json.MAPPER.valueToTree(JOB);
        expected.put("Generation", 12);
        assertThat(Json.MAPPER.readTree(JobDocuments.state(stored))).isEqualTo(expected);
        assertThat(new String(JobDocuments.state(stored), StandardCharsets.UTF_8)).startsWith("{\"Generation\":12,\"AliUid\":");
    }

    @Test
    void aSnapshotFromAnyOffsetOfABufferIsTheSameAsFromTheJob() {
        StoredJob stored = new StoredJob(JOB.restarted(), new long[] {1});
        byte[] buffer = new byte[7 + stored.documentLength()];
        stored.copyDocument(buffer, 7);

        assertThat(JobDocuments.snapshot(buffer, 7, "r-1")).isEqualTo(JobDocuments.snapshot(stored, "r-1"));
    }
}
