package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.ProcessorHarness.bytes;
import static cdn.preload.streams.ProcessorHarness.command;
import static cdn.preload.streams.ProcessorHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.TopicDefinitions;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Job;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.ProcessorHarness.Answer;
import cdn.preload.testing.Partitioners;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Answers do not depend on the producer: jobs and commands placed on their partitions by the Java
 * client's partitioner (murmur2), by librdkafka's (CRC32: kcat, Python, Go, .NET, Node), or on a
 * partition chosen by hand, in every combination, on a real broker. A job is found by commands and
 * by {@code GET /jobs/{Id}} wherever it was published, and so is its deletion.
 */
class AnyProducerIT extends RealProcessorTest {
    private static final int PARTITIONS = Partitioners.partitionsOf(TopicDefinitions.JOBS);

    /** How a producer chose the partition of a record keyed by a job Id. */
    enum Placement {
        MURMUR2, CRC32, BY_HAND;

        int partition(String id) {
            byte[] key = bytes(id);
            return switch (this) {
                case MURMUR2 -> Partitioners.murmur2(key, PARTITIONS);
                case CRC32 -> Partitioners.crc32(key, PARTITIONS);
                // neither of the two: where no partitioner would put it
                case BY_HAND -> Stream.iterate(0, p -> p + 1)
                        .filter(p -> p != Partitioners.murmur2(key, PARTITIONS) && p != Partitioners.crc32(key, PARTITIONS))
                        .findFirst().orElseThrow();
            };
        }
    }

    static Stream<Arguments> everyCombination() {
        List<Arguments> combinations = new ArrayList<>();
        for (Placement job : Placement.values()) {
            for (Placement command : Placement.values()) {
                combinations.add(Arguments.of(job, command));
            }
        }
        return combinations.stream();
    }

    @ParameterizedTest(name = "job placed by {0}, command by {1}")
    @MethodSource("everyCombination")
    void aJobAndItsCommandsMeetWhereverTheirProducersPutThem(Placement jobPlacement, Placement commandPlacement) {
        String id = idPlacedApart(new Random(jobPlacement.ordinal() * 3L + commandPlacement.ordinal()));
        Job job = withId(id);
        Instant t0 = fixture.t0();
        fixture.publishAt(fixture.topics().jobs(), jobPlacement.partition(id), bytes(id), Json.write(job), t0.minusSeconds(1));
        awaitJob(id, 200);
        HttpApiIT.Reply found = HttpApiIT.getJob(fixture, id, EXAMPLE_UID);
        assertThat(found.json()).isEqualTo(document(new Snapshot(found.json().get("RequestId").asText(), job)));

        fixture.publishAt(fixture.topics().commands(), commandPlacement.partition(id), bytes(id),
                bytes(command("r-1", id, EXAMPLE_UID)), t0);

        Answer answer = fixture.answer();
        assertThat(answer.topic()).isEqualTo(Answer.SNAPSHOT);
        assertThat(answer.key()).isEqualTo(id);
        assertThat(answer.json()).isEqualTo(document(new Snapshot("r-1", job.restarted())));

        fixture.publishAt(fixture.topics().jobs(), jobPlacement.partition(id), bytes(id), null, t0.plusSeconds(1));
        awaitJob(id, 404);
        fixture.publishAt(fixture.topics().commands(), commandPlacement.partition(id), bytes(id),
                bytes(command("r-2", id, EXAMPLE_UID)), t0.plusSeconds(2));
        assertThat(fixture.answer().json()).isEqualTo(expectedError("r-2", id, ErrorCode.INVALID_JOB_NOT_FOUND));
    }

    /** A job Id that murmur2 and CRC32 place on different partitions, so that each placement is its own. */
    static String idPlacedApart(Random random) {
        while (true) {
            StringBuilder id = new StringBuilder();
            for (int i = 0; i < 24; i++) {
                id.append(Character.forDigit(random.nextInt(16), 16));
            }
            byte[] key = bytes(id.toString());
            if (Partitioners.murmur2(key, PARTITIONS) != Partitioners.crc32(key, PARTITIONS)) {
                return id.toString();
            }
        }
    }

    static Job withId(String id) {
        return withIdAndOwner(id, EXAMPLE_JOB.aliUid());
    }

    /** The example job under another Id, owned by {@code aliUid}. */
    static Job withIdAndOwner(String id, String aliUid) {
        Job e = EXAMPLE_JOB;
        return new Job(id, e.name(), e.siteId(), aliUid, e.domains(), e.taskType(), e.insertWay(), e.fileId(),
                e.urlCount(), e.urlSubmitted(), e.taskSubmitted(), e.errorInfo(), e.failedFileOss(), e.createdAt());
    }

    private void awaitJob(String id, int status) {
        fixture.await(() -> HttpApiIT.getJob(fixture, id, EXAMPLE_UID).status() == status, "GET /jobs/" + id + " to answer " + status);
    }

    static JsonNode document(Object value) {
        return json(new String(Json.write(value), StandardCharsets.UTF_8));
    }
}
