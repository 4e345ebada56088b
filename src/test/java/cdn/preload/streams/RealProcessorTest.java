package cdn.preload.streams;

import cdn.preload.testing.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test with its own processor on the shared real broker, started before and closed after each test. */
abstract class RealProcessorTest {
    protected BrokerFixture fixture;

    @BeforeEach
    void startProcessor() {
        fixture = new BrokerFixture(TestBroker.shared().bootstrapServers());
    }

    @AfterEach
    void stopProcessor() {
        fixture.close();
    }
}
