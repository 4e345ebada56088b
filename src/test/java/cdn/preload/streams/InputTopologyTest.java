package cdn.preload.streams;

/** The scenarios of what comes in ({@link InputScenarios}) in a TopologyTestDriver. */
class InputTopologyTest extends InputScenarios {

    @Override
    protected ProcessorHarness start() {
        return new TopologyFixture();
    }
}
