package cdn.preload.testing;

import cdn.preload.streams.Topics;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics of one test or benchmark run, its own on a shared broker: the default names with a
 * suffix, and the processor's environment that names them.
 */
public final class RunTopics {
    private RunTopics() {
    }

    /** The default names, each followed by {@code -suffix}. */
    public static Topics suffixed(String suffix) {
        Topics defaults = Topics.DEFAULT;
        return new Topics(defaults.jobs() + "-" + suffix, defaults.commands() + "-" + suffix,
                defaults.progress() + "-" + suffix, defaults.snapshots() + "-" + suffix, defaults.state() + "-" + suffix,
                defaults.errors() + "-" + suffix, defaults.deadLetters() + "-" + suffix);
    }

    /** The variables that have the processor use {@code topics}. */
    public static Map<String, String> env(Topics topics) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TOPIC_JOBS", topics.jobs());
        env.put("TOPIC_COMMANDS", topics.commands());
        env.put("TOPIC_PROGRESS", topics.progress());
        env.put("TOPIC_SNAPSHOTS", topics.snapshots());
        env.put("TOPIC_STATE", topics.state());
        env.put("TOPIC_ERRORS", topics.errors());
        env.put("TOPIC_DLQ", topics.deadLetters());
        return env;
    }
}
