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
}
