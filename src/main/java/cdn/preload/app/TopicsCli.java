package cdn.preload.app;

import cdn.preload.config.Settings;
import cdn.preload.config.TopicDefinitions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Creates or checks the topics of topics/ (the jar carries a copy), with the names the environment gives. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Creates (create) or checks (check) the topics defined in topics/, with the names TOPIC_* give.",
        subcommands = {TopicsCli.Create.class, TopicsCli.Check.class})
final class TopicsCli {
    @ParentCommand
    Cli cli;

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Creates the missing topics and checks the others; an existing topic is never changed.",
                "Exit 1 when a topic's partition count or cleanup policy differs from its definition."})
    static final class Create implements Callable<Integer> {
        @ParentCommand
        private TopicsCli topics;

        @Spec
        private CommandSpec spec;

        @Mixin
        private KafkaOptions kafka;

        @Override
        public Integer call() {
            return run(kafka.settings(topics.cli.env), true, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Checks that every topic exists with its defined layout; exit 1 when one is missing or differs.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        private TopicsCli topics;

        @Spec
        private CommandSpec spec;

        @Mixin
        private KafkaOptions kafka;

        @Override
        public Integer call() {
            return run(kafka.settings(topics.cli.env), false, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    static int run(Settings settings, boolean create, PrintWriter out, PrintWriter err) {
        try (Admin admin = KafkaOptions.admin(settings)) {
            TopicSetup.Report report = create
                    ? TopicSetup.ensure(admin, TopicDefinitions.forTopics(settings.topics()))
                    : TopicSetup.check(admin, TopicDefinitions.forTopics(settings.topics()));
            report.created().forEach(name -> out.println("Created " + name));
            report.existing().forEach(name -> out.println("Exists  " + name));
            report.warnings().forEach(line -> out.println("Warning: " + line));
            report.errors().forEach(line -> err.println("Error: " + line));
            return report.ok() ? 0 : 1;
        }
    }
}
