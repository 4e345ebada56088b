package cdn.preload.streams;

/**
 * The scenarios of what comes in ({@link InputScenarios}) once more, with every record of the examples
 * off the partition where its job is kept ({@link ReroutedTopologyTest#reroutedFixture}).
 */
class ReroutedInputTopologyTest extends InputScenarios {

    @Override
    protected ProcessorHarness start() {
        return ReroutedTopologyTest.reroutedFixture();
    }
}
