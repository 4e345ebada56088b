package cdn.preload.streams;

/**
 * The generations' scenarios ({@link GenerationScenarios}) once more, with every record of the examples
 * off the partition where its job is kept ({@link ReroutedTopologyTest#reroutedFixture}).
 */
class ReroutedGenerationTopologyTest extends GenerationScenarios {

    @Override
    protected ProcessorHarness start() {
        return ReroutedTopologyTest.reroutedFixture();
    }
}
