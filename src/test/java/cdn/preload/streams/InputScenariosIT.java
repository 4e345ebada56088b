package cdn.preload.streams;

import cdn.preload.testing.TestBroker;

/**
 * The scenarios of what comes in ({@link InputScenarios}) against a real broker, through the processor exactly as
 * main runs it.
 */
class InputScenariosIT extends InputScenarios {

    @Override
    protected ProcessorHarness start() {
        return new BrokerFixture(TestBroker.shared().bootstrapServers());
    }
}
