package cdn.preload.app.cli;

import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinitions;
import java.io.PrintWriter;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;

/** Creates or checks the topics of topics/ (the jar carries a copy), with the names the environment gives. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Creates (create) or checks (check) the topics defined in topics/, with the names TOPIC_* give.",
        subcommands = {TopicsCli.Create.class, TopicsCli.Check.class})
public final class TopicsCli {
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates the missing topics and checks the others; an existing topic is never changed.",
                "Exit 1 when a topic's partition count or cleanup policy differs from its definition."})
    static final class Create extends KafkaCommand {



        @Override
        public Integer call() {
            return run(settings(), true, out(), err());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Checks that every topic exists with its defined layout; exit 1 when one is missing or differs.")
    static final class Check extends KafkaCommand {



        @Override
        public Integer call() {
            return run(settings(), false, out(), err());
        }
    }

    public static int run(Settings settings, boolean create, PrintWriter out, PrintWriter err) {
        try (Admin admin = KafkaClients.admin(settings)) {
            TopicSetup.Report report = create
                    ? TopicSetup.ensure(admin, TopicDefinitions.forTopics(settings.topics()))
                    : TopicSetup.check(admin, TopicDefinitions.forTopics(settings.topics()));
            report.print(out, err);
            return report.ok() ? 0 : 1;
        }
    }
}
