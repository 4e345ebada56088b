package cdn.preload.app.runtime;

import cdn.preload.config.TopicDefinition;
import cdn.preload.config.TopicDefinitions;
import cdn.preload.streams.ResetTopology;
import cdn.preload.streams.TopicLayout;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics of {@code topics/} that are missing and checks the ones that exist, without
 * ever changing an existing topic. A partition count or cleanup policy that differs from the
 * definition is an error; any other config that differs is a warning. A running processor's
 * readiness asks less ({@link #readiness}): only what stops it is a problem there.
 */
public final class TopicSetup {
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_SECONDS = 60;
    private static final Duration METADATA_CATCH_UP = Duration.ofSeconds(15);
    private static final Duration RETRY_BACKOFF = Duration.ofMillis(200);
    /** The co-partitioned input topics: a job, its commands and its progress reports meet on one partition. */
    private static final List<String> INPUT_ROLES = List.of(TopicDefinitions.JOBS, TopicDefinitions.COMMANDS,
            TopicDefinitions.PROGRESS);

    /** What a run found and did. */
    public record Report(List<String> created, List<String> existing, List<String> warnings, List<String> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        /** A line for each topic created or found, and each warning, to {@code out}; a line for each error to {@code err}. */
        public void print(PrintWriter out, PrintWriter err) {
            created.forEach(name -> out.println("Created " + name));
            existing.forEach(name -> out.println("Exists  " + name));
            warnings.forEach(line -> out.println("Warning: " + line));
            errors.forEach(line -> err.println("Error: " + line));
        }
    }

    private TopicSetup() {
    }

    /** Creates what is missing, then checks everything; the report's errors say what does not match. */
    public static Report ensure(Admin admin, List<TopicDefinition> definitions) {
        return run(admin, definitions, true);
    }

    /**
     * Creates the repartition topic of the application {@code applicationId} as Kafka Streams would at
     * its first rebalance (as many partitions as {@code commandsTopic}), unless it exists: until then,
     * its consumer warns at every metadata update that the topic is missing, which on a fresh local
     * broker is all a newcomer sees. Only for a cluster whose internal topics take Kafka Streams'
     * defaults.
     */
    public static void ensureRerouteTopic(Admin admin, String applicationId, String commandsTopic) {
        String name = ResetTopology.rerouteTopic(applicationId);
        try {
            if (admin.listTopics().names().get().contains(name)) {
                return;
            }
            int partitions = admin.describeTopics(List.of(commandsTopic)).allTopicNames().get().get(commandsTopic)
                    .partitions().size();
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, "-1",
                    TopicConfig.SEGMENT_BYTES_CONFIG, "52428800",
                    TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime")))).all().get();
        } catch (ExecutionException e) {
            throw new KafkaSetupException("Cannot create " + name + ": " + e.getCause().getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted", e);
        }
    }

    /** Only checks; a missing topic is an error. */
    public static Report check(Admin admin, List<TopicDefinition> definitions) {
        return run(admin, definitions, false);
    }

    /**
     * What a running processor's readiness needs to know of its topics.
     *
     * @param problems what stops the processor from doing its work: a topic missing, or input topics
     *     whose partitions are no longer those it started with
     * @param warnings what differs from {@code topics/} without stopping it (the comparison that
     *     {@link #check} makes, whose errors are only warnings here), and a comparison that could
     *     not be made
     */
    public record Readiness(List<String> problems, List<String> warnings) {
        public Readiness {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * The topics as a processor that runs with {@code inputPartitions} partitions per input topic
     * needs them. A topic missing is a problem (the processor cannot read or write it), and so is an
     * input topic whose partitions changed since the start (a job's records would no longer meet on
     * the partition the processor expects; a restart reads them again). Anything else that differs
     * from {@code topics/} is a warning: the processor reads the partitions and limits the cluster
     * has, and works with them. Configs that may not be read (no DescribeConfigs) are a warning too.
     *
     * @throws KafkaSetupException when the topics cannot be described at all
     */
    public static Readiness readiness(Admin admin, List<TopicDefinition> definitions, int inputPartitions) {
        Map<String, TopicDescription> found = describe(admin, definitions);
        List<String> problems = new ArrayList<>();
        List<TopicDefinition> existing = new ArrayList<>();
        for (TopicDefinition definition : definitions) {
            if (found.containsKey(definition.name())) {
                existing.add(definition);
            } else {
                problems.add(missing(definition));
            }
        }
        for (TopicDefinition definition : existing) {
            int partitions = found.get(definition.name()).partitions().size();
            if (INPUT_ROLES.contains(definition.role()) && partitions != inputPartitions) {
                problems.add(definition.name() + ": has " + partitions + " partitions, the processor started with "
                        + inputPartitions + " (restart it once the jobs, commands and progress topics have the same number)");
            }
        }
        Report differences = new Report(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Map<String, Config> configs = null;
        try {
            configs = configs(admin, existing);
        } catch (KafkaSetupException e) {
            differences.warnings().add(authorizationFailure(e) != null
                    ? "the topics' configs cannot be read (no DescribeConfigs permission), so they are not compared with topics/"
                    : "the topics' configs cannot be read, so they are not compared with topics/: " + e.getMessage());
        }
        for (TopicDefinition definition : existing) {
            compare(definition, found.get(definition.name()), configs == null ? null : configs.get(definition.name()),
                    differences);
        }
        List<String> warnings = new ArrayList<>(differences.errors());
        warnings.addAll(differences.warnings());
        return new Readiness(problems, warnings);
    }

    /**
     * The processor's topics as the cluster has them: the input topics' partition count, and the
     * largest record each output topic takes (its {@code max.message.bytes}, no more than the
     * producer's {@code maxRequestSize}). Fails with a clear message when a topic is missing, the
     * input topics differ in partitions, or an output topic takes too little to answer at all.
     * Where the topics' configs may not be read (no DescribeConfigs permission), Kafka's default
     * limit is assumed, with a warning.
     */
    public static TopicLayout layout(Admin admin, List<TopicDefinition> definitions, int maxRequestSize) {
        return layout(admin, definitions, maxRequestSize, false);
    }

    /**
     * As {@link #layout(Admin, List, int)}; with {@code compressed} (the producer compresses), each
     * limit keeps a margin for the codec's framing, which can make data that does not compress a
     * little larger than it was.
     */
    public static TopicLayout layout(Admin admin, List<TopicDefinition> definitions, int maxRequestSize, boolean compressed) {
        // Topics created a moment ago may still be unknown to the broker that answers: ask again for a
        // few seconds before calling them missing.
        long deadline = System.nanoTime() + METADATA_CATCH_UP.toNanos();
        Map<String, TopicDescription> found = describe(admin, definitions);
        List<String> missing = missing(definitions, found);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            pause();
            found = describe(admin, definitions);
            missing = missing(definitions, found);
        }
        if (!missing.isEmpty()) {
            throw new KafkaSetupException("Missing topic(s) " + String.join(", ", missing)
                    + " (create the topics with: topics create).");
        }
        Map<String, TopicDefinition> byRole = new HashMap<>();
        definitions.forEach(definition -> byRole.put(definition.role(), definition));
        String jobs = byRole.get(TopicDefinitions.JOBS).name();
        String commands = byRole.get(TopicDefinitions.COMMANDS).name();
        int partitions = found.get(jobs).partitions().size();
        for (String input : List.of(commands, byRole.get(TopicDefinitions.PROGRESS).name())) {
            if (found.get(input).partitions().size() != partitions) {
                throw new KafkaSetupException(jobs + " has " + partitions + " partitions and " + input + " has "
                        + found.get(input).partitions().size() + ": they must have the same number, so that a job,"
                        + " its commands and its progress reports meet on one partition.");
            }
        }
        Map<String, Config> configs;
        try {
            configs = configs(admin, definitions);
        } catch (KafkaSetupException e) {
            Throwable denied = authorizationFailure(e);
            if (denied == null) {
                throw e;
            }
            LOG.warn("Cannot read the topics' configs ({}); assuming that each output topic takes records of up to"
                    + " {} bytes, Kafka's default. Grant DescribeConfigs on the topics to use their max.message.bytes.",
                    denied.getMessage(), TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES);
            configs = Map.of();
        }
        return new TopicLayout(partitions, outputLimit(byRole.get(TopicDefinitions.ERRORS), configs, maxRequestSize, compressed),
                outputLimit(byRole.get(TopicDefinitions.DLQ), configs, maxRequestSize, compressed),
                jobOutputLimit(byRole.get(TopicDefinitions.SNAPSHOTS), configs, maxRequestSize, compressed),
                jobOutputLimit(byRole.get(TopicDefinitions.STATE), configs, maxRequestSize, compressed),
                reroutedLimit(List.of(byRole.get(TopicDefinitions.JOBS), byRole.get(TopicDefinitions.PROGRESS)), configs,
                        maxRequestSize, compressed));
    }

    /** The authorization failure that {@code e} was caused by, or null. */
    private static Throwable authorizationFailure(Throwable e) {
        Throwable cause = e;
        for (int depth = 0; cause != null && depth < 20 && !(cause instanceof AuthorizationException); depth++) {
            cause = cause.getCause();
        }
        return cause instanceof AuthorizationException ? cause : null;
    }

    private static String missing(TopicDefinition definition) {
        return definition.name() + ": missing (" + definition.role() + " topic)";
    }

    private static List<String> missing(List<TopicDefinition> definitions, Map<String, TopicDescription> found) {
        return definitions.stream().map(TopicDefinition::name).filter(name -> !found.containsKey(name)).toList();
    }

    private static void pause() {
        try {
            Thread.sleep(RETRY_BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted", e);
        }
    }

    /**
     * The largest record re-routed to its job's partition. Kafka Streams creates the repartition topic
     * with the broker's limit, which the topics configs do not show; an input topic without a limit
     * of its own has the broker's, and is never allowed more than the default: the smallest of these
     * and of the producer's request limit.
     */
    private static int reroutedLimit(List<TopicDefinition> inputs, Map<String, Config> configs, int maxRequestSize,
                                     boolean compressed) {
        int max = Math.min(TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES, maxRequestSize);
        for (TopicDefinition input : inputs) {
            max = Math.min(max, topicLimit(input, configs));
        }
        return compressed ? max - (max / 100 + 1024) : max;
    }

    /** A topic's {@code max.message.bytes} (the broker's, unless the topic has its own); the default when unknown. */
    private static int topicLimit(TopicDefinition topic, Map<String, Config> configs) {
        Config config = configs.get(topic.name());
        ConfigEntry entry = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        return entry == null || entry.value() == null ? TopicLayout.BROKER_DEFAULT_MAX_MESSAGE_BYTES
                : Integer.parseInt(entry.value());
    }

    private static int outputLimit(TopicDefinition topic, Map<String, Config> configs, int maxRequestSize,
                                   boolean compressed) {
        return outputLimit(topic, configs, maxRequestSize, compressed, TopicLayout.MIN_OUTPUT_BYTES, "");
    }

    /**
     * The limit of a topic that carries whole jobs (snapshots, job states): never below what the
     * largest job needs, so that no job stored earlier, under a larger limit, makes a record the
     * broker refuses (the processor would stop on it at every start).
     */
    private static int jobOutputLimit(TopicDefinition topic, Map<String, Config> configs, int maxRequestSize,
                                      boolean compressed) {
        return outputLimit(topic, configs, maxRequestSize, compressed, TopicLayout.MIN_JOB_OUTPUT_BYTES,
                " (room for a job of 256 KiB, the largest the processor stores)");
    }

    private static int outputLimit(TopicDefinition topic, Map<String, Config> configs, int maxRequestSize,
                                   boolean compressed, int min, String why) {
        int topicLimit = topicLimit(topic, configs);
        int max = Math.min(topicLimit, maxRequestSize);
        if (compressed) {
            max -= max / 100 + 1024; // lz4's worst case is under 0.4% and 20 bytes; gzip's and zstd's less
        }
        if (max < min) {
            throw new KafkaSetupException(topic.name() + " takes records of at most " + max + " bytes (max.message.bytes "
                    + topicLimit + ", the producer's max.request.size " + maxRequestSize + "); the processor needs at least "
                    + min + why + ".");
        }
        return max;
    }

    private static Report run(Admin admin, List<TopicDefinition> definitions, boolean create) {
        Report report = new Report(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Map<String, TopicDescription> found = describe(admin, definitions);
        List<TopicDefinition> toCheck = new ArrayList<>();
        for (TopicDefinition definition : definitions) {
            if (found.containsKey(definition.name())) {
                report.existing().add(definition.name());
                toCheck.add(definition);
            } else if (!create) {
                report.errors().add(missing(definition));
            } else if (createTopic(admin, definition)) {
                report.created().add(definition.name());
            } else {
                // Created by someone else meanwhile: check it like any existing topic.
                report.existing().add(definition.name());
                found.put(definition.name(), whileUnknown("describe topic " + definition.name(),
                        () -> admin.describeTopics(List.of(definition.name())).allTopicNames())
                        .get(definition.name()));
                toCheck.add(definition);
            }
        }
        Map<String, Config> configs = configs(admin, toCheck);
        for (TopicDefinition definition : toCheck) {
            TopicDescription description = found.get(definition.name());
            if (description == null) {
                report.errors().add(definition.name() + ": exists but could not be described; try again");
            } else {
                compare(definition, description, configs.get(definition.name()), report);
            }
        }
        return report;
    }

    /** Adds what differs from the definition to the report; its configs only where {@code config} is known. */
    private static void compare(TopicDefinition definition, TopicDescription actual, Config config, Report report) {
        String name = definition.name();
        int partitions = actual.partitions().size();
        if (partitions != definition.partitions()) {
            report.errors().add(name + ": has " + partitions + " partitions, topics/" + definition.role()
                    + ".properties says " + definition.partitions());
        }
        if (config == null) {
            return;
        }
        for (Map.Entry<String, String> wanted : definition.configs().entrySet()) {
            ConfigEntry entry = config.get(wanted.getKey());
            String value = entry == null ? null : entry.value();
            if (!wanted.getValue().equals(value)) {
                String line = name + ": " + wanted.getKey() + " is " + value + ", topics/" + definition.role()
                        + ".properties says " + wanted.getValue();
                (wanted.getKey().equals("cleanup.policy") ? report.errors() : report.warnings()).add(line);
            }
        }
    }

    private static boolean createTopic(Admin admin, TopicDefinition definition) {
        Optional<Short> replication = definition.replicationFactor() == TopicDefinition.BROKER_DEFAULT_REPLICATION
                ? Optional.empty() : Optional.of(definition.replicationFactor());
        NewTopic topic = new NewTopic(definition.name(), Optional.of(definition.partitions()), replication)
                .configs(definition.configs());
        try {
            get(admin.createTopics(List.of(topic)).all());
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new KafkaSetupException("Cannot create topic " + definition.name() + ": " + e.getCause().getMessage(), e);
        }
    }

    private static Map<String, TopicDescription> describe(Admin admin, List<TopicDefinition> definitions) {
        Map<String, TopicDescription> found = new HashMap<>();
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(
                definitions.stream().map(TopicDefinition::name).toList()).topicNameValues();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> future : futures.entrySet()) {
            try {
                found.put(future.getKey(), get(future.getValue()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new KafkaSetupException("Cannot describe topic " + future.getKey() + ": " + e.getCause().getMessage(), e);
                }
            }
        }
        return found;
    }

    private static Map<String, Config> configs(Admin admin, List<TopicDefinition> definitions) {
        List<ConfigResource> resources = definitions.stream()
                .map(d -> new ConfigResource(ConfigResource.Type.TOPIC, d.name())).toList();
        Map<String, Config> byName = new HashMap<>();
        whileUnknown("read topic configs", () -> admin.describeConfigs(resources).all())
                .forEach((resource, config) -> byName.put(resource.name(), config));
        return byName;
    }

    /**
     * For topics known to exist: a broker answers "unknown topic" for a moment after a topic is
     * created, until its metadata catches up, so that answer is retried for a few seconds.
     */
    private static <T> T whileUnknown(String what, Supplier<KafkaFuture<T>> request) {
        long deadline = System.nanoTime() + METADATA_CATCH_UP.toNanos();
        while (true) {
            try {
                return get(request.get());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new KafkaSetupException("Cannot " + what + ": " + e.getCause(), e);
                }
            }
            pause();
        }
    }

    private static <T> T get(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new KafkaSetupException("No answer from the Kafka cluster within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaSetupException("Interrupted", e);
        }
    }
}
