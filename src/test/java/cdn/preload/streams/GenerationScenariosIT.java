package cdn.preload.streams;

import cdn.preload.testing.TestBroker;

/**
 * The generations' scenarios ({@link GenerationScenarios}) against a real broker, through the processor exactly as
 * main runs it.
 */
class GenerationScenariosIT extends GenerationScenarios {

    @Override
    protected ProcessorHarness start() {
        return new BrokerFixture(TestBroker.shared().bootstrapServers());
    }
}
