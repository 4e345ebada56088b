package cdn.preload.app;

import cdn.preload.config.Settings;
import cdn.preload.config.SettingsException;
import cdn.preload.config.TopicDefinitions;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics of {@code topics/} (with the names the environment gives) on the cluster of
 * {@code KAFKA_BOOTSTRAP_SERVERS}, and checks those that exist. Exit code 0 when the cluster matches
 * the definitions, 1 when it does not or cannot be reached, 2 for invalid settings.
 * docker-compose's {@code topics} service runs it.
 */
public final class CreateTopics {
    private CreateTopics() {
    }

    public static void main(String[] args) {
        try {
            TopicSetup.Report report = create(Settings.fromEnvironment(System.getenv()));
            report.existing().forEach(name -> System.out.println("Topic " + name + " exists"));
            System.exit(report.ok() ? 0 : 1);
        } catch (SettingsException e) {
            System.err.println("preload-job-processor: " + e.getMessage());
            System.exit(2);
        } catch (KafkaSetupException e) {
            System.err.println("preload-job-processor: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Creates what is missing and prints what it did; a layout that differs is printed as errors. */
    static TopicSetup.Report create(Settings settings) {
        try (Admin admin = Admin.create(settings.kafka())) {
            TopicSetup.Report report = TopicSetup.ensure(admin, TopicDefinitions.forTopics(settings.topics()));
            report.created().forEach(name -> System.out.println("Created topic " + name));
            report.warnings().forEach(line -> System.out.println("Warning: " + line));
            report.errors().forEach(line -> System.err.println("Error: " + line));
            return report;
        }
    }
}
