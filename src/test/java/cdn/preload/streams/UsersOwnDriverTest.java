package cdn.preload.streams;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.Settings;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology in a user's own TopologyTestDriver, with String serdes: what ResetTestKit does for its users. */
class UsersOwnDriverTest {

    @Test
    void theProductionTopologyInAUsersOwnDriverResetsAJob(@TempDir Path stateDir) throws Exception {
        Settings settings = Settings.defaults();
        Topology topology = ResetTopology.build(settings.topics(), settings.rateLimit(), settings.replayRetention());
        Properties props = new Properties();
        props.putAll(settings.kafka());
        props.setProperty("state.dir", stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
            TestInputTopic<String, String> jobs = driver.createInputTopic(Topics.DEFAULT.jobs(),
                    new StringSerializer(), new StringSerializer());
            TestInputTopic<String, String> commands = driver.createInputTopic(Topics.DEFAULT.commands(),
                    new StringSerializer(), new StringSerializer());
            TestOutputTopic<String, String> snapshots = driver.createOutputTopic(Topics.DEFAULT.snapshots(),
                    new StringDeserializer(), new StringDeserializer());

            jobs.pipeInput("665d3af3621bccf3fe29e1a4",
                    "{\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"u-1\",\"UrlCount\":2,\"UrlSubmitted\":2,\"TaskSubmitted\":2}");
            commands.pipeInput("665d3af3621bccf3fe29e1a4",
                    "{\"RequestId\":\"r-1\",\"Id\":\"665d3af3621bccf3fe29e1a4\",\"AliUid\":\"u-1\"}");

            assertThat(snapshots.readKeyValue().value).isEqualTo("{\"RequestId\":\"r-1\",\"AliUid\":\"u-1\",\"CreatedAt\":null,"
                    + "\"Domains\":null,\"ErrorInfo\":null,\"FailedFileOss\":null,\"FileId\":null,"
                    + "\"Id\":\"665d3af3621bccf3fe29e1a4\",\"InsertWay\":null,\"Name\":null,\"SiteId\":null,"
                    + "\"TaskSubmitted\":0,\"TaskType\":null,\"UrlCount\":2,\"UrlSubmitted\":0}");
        }
    }
}
