package cdn.preload.streams;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The names of the processor's topics. The defaults are the contract's, as the topic definitions
 * give them ({@code name} in each file of {@code topics/}, which the jar carries); each can be renamed.
 */
public record Topics(String jobs, String commands, String progress, String snapshots, String state, String errors,
                     String deadLetters) {
    /** The contract's names: each topic definition's {@code name}. */
    public static final Topics DEFAULT = new Topics(defaultName("jobs"), defaultName("commands"),
            defaultName("progress"), defaultName("snapshots"), defaultName("state"), defaultName("errors"),
            defaultName("dlq"));

    /**
     * The header that names a job's generation, in ASCII decimal digits: on a snapshot, the one its
     * reset started; on a job record, the one its counters were computed in.
     */
    public static final String GENERATION_HEADER = "preload.generation";

    /** The {@code name} of the definition of the topic of {@code role} that the jar carries. */
    private static String defaultName(String role) {
        String name = definition(role).getProperty("name", "").trim();
        if (name.isEmpty()) {
            throw new IllegalStateException("/topics/" + role + ".properties: missing name");
        }
        return name;
    }

    /** The definition of the topic of {@code role} ({@code topics/<role>.properties}) that the jar carries. */
    public static Properties definition(String role) {
        String resource = "/topics/" + role + ".properties";
        try (InputStream in = Topics.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing topic definition " + resource + " in the jar");
            }
            Properties definition = new Properties();
            definition.load(in);
            return definition;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }
}
