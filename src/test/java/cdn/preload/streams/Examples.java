package cdn.preload.streams;

import static cdn.preload.streams.ProcessorHarness.json;

import cdn.preload.domain.ApiPage;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.testing.ErrorEvents;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The API page's example job, and the documents scenarios expect, spelled from the page and the catalogue. */
final class Examples {
    static final String EXAMPLE_ID = "665d3af3621bccf3fe29e1a4";
    static final String OTHER_ID = "665d3af3621bccf3fe29e1ff";
    static final String EXAMPLE_UID = "15685865xxx14622";
    static final String EXAMPLE_REQUEST_ID = "15C66C7B-671A-4297-9187-2C4477247A74";

    /** The job of the API page's success example, before the reset. */
    static final Job EXAMPLE_JOB = new Job(EXAMPLE_ID, "example", 190007158391808L, EXAMPLE_UID, "testurl.com",
            "preload", "oss", "665d3b48621bccf3fe29e1a7", 2, 1, 1, "invalid domain:test.com",
            "https://xxxobject.oss-cn-reginon.aliyuncs.com/9d91_xxxxxxxxxxx_158bb6e0f97c477791209bb46bd599f7",
            "2024-06-02T02:23:26Z");

    private Examples() {
    }

    /** The API page's success example, with the progress restarted and the given RequestId. */
    static ObjectNode expectedSnapshot(String requestId) {
        ObjectNode example = (ObjectNode) json(ApiPage.successExample());
        return example.put("RequestId", requestId).put("TaskSubmitted", 0).put("UrlSubmitted", 0);
    }

    static JsonNode expectedError(String requestId, String id, ErrorCode error) {
        return ErrorEvents.expected(requestId, id, error);
    }

    /** The JobState the state topic carries for {@code job} at {@code generation}: its 14 fields and its Generation. */
    static ObjectNode expectedState(Job job, long generation) {
        ObjectNode state = (ObjectNode) Json.MAPPER.valueToTree(job);
        return (ObjectNode) json(state.put("Generation", generation).toString()); // numbers as a reader parses them
    }

    static Job exampleJobWith(String name, int urlSubmitted, int taskSubmitted) {
        Job e = EXAMPLE_JOB;
        return new Job(e.id(), name, e.siteId(), e.aliUid(), e.domains(), e.taskType(), e.insertWay(), e.fileId(),
                e.urlCount(), urlSubmitted, taskSubmitted, e.errorInfo(), e.failedFileOss(), e.createdAt());
    }
}
