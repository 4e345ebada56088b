package cdn.preload.streams;

/** The generations' scenarios ({@link GenerationScenarios}) in a TopologyTestDriver. */
class GenerationTopologyTest extends GenerationScenarios {

    @Override
    protected ProcessorHarness start() {
        return new TopologyFixture();
    }
}
