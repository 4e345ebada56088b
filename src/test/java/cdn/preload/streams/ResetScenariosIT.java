package cdn.preload.streams;

/** The contract's scenarios against a real broker, through the processor exactly as main runs it. */
class ResetScenariosIT extends ResetScenarios {

    @Override
    protected ProcessorHarness start() {
        return new BrokerFixture(TestBroker.shared().bootstrapServers());
    }
}
