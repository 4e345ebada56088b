package cdn.preload.streams;

import static cdn.preload.streams.TopologyFixture.EXAMPLE_ID;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_JOB;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_REQUEST_ID;
import static cdn.preload.streams.TopologyFixture.EXAMPLE_UID;
import static cdn.preload.streams.TopologyFixture.T0;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResetTopologyTest {
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void resetOfTheApiExampleAnswersTheApiSuccessExampleWithCountersZero() {
        fixture.putJob(EXAMPLE_JOB);
        fixture.reset(EXAMPLE_REQUEST_ID, EXAMPLE_ID, EXAMPLE_UID, T0);
        System.out.println(fixture.driver.producedTopicNames());
        System.out.println(fixture.answer());
        fixture.send(null, "{bad", T0);
        System.out.println(fixture.answer());
        fixture.deadLetters().forEach(r -> { System.out.println(new String(r.value())); r.headers().forEach(h -> System.out.println(h.key() + "=" + new String(h.value()).lines().findFirst().orElse(""))); });
        fixture.send(null, TopologyFixture.command("r2", EXAMPLE_ID, EXAMPLE_UID), T0);
        System.out.println(fixture.driver.producedTopicNames());
        System.out.println(fixture.answer());
    }
}
