package cdn.preload.app.local;

import cdn.preload.app.http.HttpSetupException;
import cdn.preload.app.runtime.KafkaClients;
import cdn.preload.app.runtime.KafkaSetupException;
import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.app.runtime.TopicSetup;
import cdn.preload.config.Settings;
import cdn.preload.config.SettingsException;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The README's run command: starts a local single-node Kafka broker unless
 * {@code KAFKA_BOOTSTRAP_SERVERS} names a cluster, creates the topics of {@code topics/}, and runs
 * the processor. Ctrl-C (or SIGTERM) closes the processor, then stops the broker.
 *
 * <p>Settings of its own: {@code LOCAL_KAFKA_PORT} (9092), {@code LOCAL_KAFKA_CONTROLLER_PORT}
 * (9093), {@code LOCAL_KAFKA_DIR} ({@code target/local}: the broker's data and the processor's state),
 * {@code LOCAL_KAFKA_CLASSPATH} (the broker's classpath; by default {@code target/broker.classpath},
 * which the build writes).
 *
 * <p>A run holds {@code LOCAL_KAFKA_DIR} for its life, locked through {@link #LOCK_FILE}: a second
 * run there is refused before it writes anything, since a second broker would write into the first
 * one's metadata log before failing on its data directory's lock.
 */
public final class LocalRun {
    /** The file in {@code LOCAL_KAFKA_DIR} that a run holds locked for its life. */
    public static final String LOCK_FILE = "bin-run.lock";
    /** The lock's channel, reachable for the run's life: the OS releases the lock when the process ends. */
    private static FileChannel held;

    private LocalRun() {
    }

    public static void main(String[] args) {
        Map<String, String> env = new HashMap<>(System.getenv());
        // Job queries need a bearer token: a fresh random one for this run, unless one is given.
        boolean generatedToken = env.getOrDefault(Settings.HTTP_AUTH_TOKEN, "").isBlank();
        if (generatedToken) {
            env.put(Settings.HTTP_AUTH_TOKEN, randomToken());
        }
        LocalKafka broker = null;
        try {
            Settings settings = Settings.fromEnvironment(env);
            String where;
            if (env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
                where = "the cluster at " + settings.kafka().getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
            } else {
                Path dir = Path.of(env.getOrDefault("LOCAL_KAFKA_DIR", "target/local"));
                int port = port(env, "LOCAL_KAFKA_PORT", 9092);
                int controllerPort = port(env, "LOCAL_KAFKA_CONTROLLER_PORT", 9093);
                held = lock(dir, "LOCAL_KAFKA_DIR " + dir + " is in use by another bin/run, which holds " + dir.resolve(LOCK_FILE)
                        + "; a second broker there would damage its data. Stop that run, or give this one a folder and"
                        + " ports of its own: LOCAL_KAFKA_DIR, LOCAL_KAFKA_PORT (now " + port + "), LOCAL_KAFKA_CONTROLLER_PORT"
                        + " (now " + controllerPort + ") and HTTP_PORT (now " + settings.http().port() + "), e.g. LOCAL_KAFKA_DIR="
                        + dir + "-2 LOCAL_KAFKA_PORT=" + (port + 100) + " LOCAL_KAFKA_CONTROLLER_PORT=" + (controllerPort + 100)
                        + " HTTP_PORT=" + (settings.http().port() + 100) + " bin/run");
                System.out.println("Starting a local Kafka broker on localhost:" + port + " (data in " + dir.resolve("kafka") + ")...");
                broker = LocalKafka.start(brokerClasspath(env), dir.resolve("kafka"), port, controllerPort);
                settings = settings.withKafkaProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                if (!env.containsKey("KAFKA_STATE_DIR")) {
                    settings = settings.withKafkaProperty(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
                }
                where = "the local broker at " + broker.bootstrapServers();
            }
            try (Admin admin = KafkaClients.admin(settings)) {
                TopicSetup.Report report = TopicSetup.ensure(admin, TopicDefinitions.forTopics(settings.topics()));
                report.print(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
                if (!report.ok()) {
                    throw new KafkaSetupException("The topics do not match topics/ (see the errors above).");
                }
                if (broker != null && !configuresInternalTopics(settings)) {
                    TopicSetup.ensureRerouteTopic(admin, settings.kafka().getProperty(StreamsConfig.APPLICATION_ID_CONFIG),
                            settings.topics().commands());
                }
            }
            System.out.println("Starting the processor; how to use it follows once it runs...");
            String howToUse = howToUse(settings, where, generatedToken);
            LocalKafka started = broker;
            int exitCode = ProcessorApp.run(settings, () -> System.out.print(howToUse), () -> {
                if (started != null) {
                    System.out.println("Stopping the local Kafka broker...");
                    started.stop();
                }
            });
            if (exitCode != 0) {
                System.exit(exitCode);
            }
        } catch (SettingsException | KafkaSetupException | HttpSetupException e) {
            System.err.println("preload-job-processor: " + e.getMessage());
            if (broker != null) {
                broker.stop();
            }
            System.exit(e instanceof SettingsException ? 2 : 1);
        }
    }

    /**
     * Locks {@code dir} (created if missing) for this process, through {@link #LOCK_FILE}, before
     * anything else is written there.
     *
     * @throws KafkaSetupException with {@code refusal} when another process (or this one) holds it
     */
    static FileChannel lock(Path dir, String refusal) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by this process
        } catch (IOException e) {
            throw new KafkaSetupException("Cannot lock " + dir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
        }
        try {
            channel.close();
        } catch (IOException e) {
            // refused anyway
        }
        throw new KafkaSetupException(refusal);
    }

    /** Whether the settings give internal topics settings of their own, which Kafka Streams applies when it creates them. */
    private static boolean configuresInternalTopics(Settings settings) {
        return settings.kafka().stringPropertyNames().stream().anyMatch(name -> name.startsWith(StreamsConfig.TOPIC_PREFIX)
                || name.equals(StreamsConfig.REPLICATION_FACTOR_CONFIG));
    }

    /** What the run prints once the processor runs: where to publish and read, how to try it, how to ask for a job. */
    static String howToUse(Settings settings, String where, boolean generatedToken) {
        Topics topics = settings.topics();
        String bootstrap = settings.kafka().getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        // the command line's default is localhost:9092: any other broker is named
        String elsewhere = bootstrap.equals("localhost:9092") ? "" : " --bootstrap-servers " + bootstrap;
        return """

                preload-job-processor runs against %s.
                  publish jobs to       %s  (key: the job Id)
                  publish commands to   %s  (key: the job Id)
                  read snapshots from   %s  (with isolation.level=read_committed)
                  read errors from      %s
                  dead letters go to    %s
                Try it from another terminal, with the jar's command line:
                  java -jar target/preload-job-processor.jar jobs put%s examples/job.json
                  java -jar target/preload-job-processor.jar reset%s --id 665d3af3621bccf3fe29e1a4 --uid 15685865xxx14622
                  java -jar target/preload-job-processor.jar tail%s
                Or with kcat:
                  kcat -P -b %s -t %s -K'|' <<< '665d3af3621bccf3fe29e1a4|{"RequestId":"r-1","Id":"665d3af3621bccf3fe29e1a4","AliUid":"15685865xxx14622"}'
                  kcat -C -b %s -t %s -X isolation.level=read_committed
                  (any client and partitioner works; -X partitioner=murmur2_random places records as Java does: no detour)
                Health and metrics: %s
                %s
                Ctrl-C stops the processor%s.

                """.formatted(where, topics.jobs(), topics.commands(), topics.snapshots(), topics.errors(),
                topics.deadLetters(), elsewhere, elsewhere, elsewhere, bootstrap, topics.commands(), bootstrap, topics.snapshots(),
                settings.http().enabled() ? "http://localhost:" + settings.http().port() + "/health/ready, /metrics"
                        : "off (HTTP_ENABLED=false)",
                settings.http().enabled() ? jobQuery(settings.http(), generatedToken) : "",
                where.startsWith("the local") ? " and the broker" : "");
    }

    /**
     * A ready curl line for a job: with the token, when the run made it; otherwise with
     * {@code $HTTP_AUTH_TOKEN}, for the shell to fill in, since a secret of the user's own does not
     * belong in a terminal's scrollback or a log.
     */
    private static String jobQuery(Settings.Http http, boolean generatedToken) {
        String base = "'http://localhost:" + http.port() + "/jobs";
        String job = base + "/665d3af3621bccf3fe29e1a4?AliUid=15685865xxx14622'";
        String list = base + "?SiteId=190007158391808&AliUid=15685865xxx14622'";
        String curl = generatedToken ? "  curl -H 'Authorization: Bearer " + http.authToken() + "' "
                : "  curl -H \"Authorization: Bearer $HTTP_AUTH_TOKEN\" ";
        return (generatedToken ? "A job, and its site's jobs, for its account, with this run's token (HTTP_AUTH_TOKEN):\n"
                : "A job, and its site's jobs, for its account, with the token HTTP_AUTH_TOKEN gives (not printed):\n")
                + curl + job + "\n" + curl + list;
    }

    /** 32 random bytes, as hex. */
    private static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String brokerClasspath(Map<String, String> env) {
        String explicit = env.get("LOCAL_KAFKA_CLASSPATH");
        if (explicit != null) {
            return explicit;
        }
        Path file = Path.of("target", "broker.classpath");
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new KafkaSetupException("Cannot read the broker's classpath from " + file
                    + ": build first with mvn -B -Dmaven.test.skip=true package, from the project's root.");
        }
    }

    private static int port(Map<String, String> env, String name, int defaultPort) {
        return Settings.wholeNumber(env, name, defaultPort, 1, 65535, "a port number");
    }
}
