package cdn.preload.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.testing.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/TEST-KIT.md, "Testing your integration", as a new user would follow it: a fresh Maven project
 * with the page's dependency block and its test class, built against the library as this build
 * made it (its jar and its pom, put in the build's local repository as {@code mvn install} would,
 * replacing the snapshot there), with the Maven that runs this build, offline, runs and passes;
 * and the library brings none of the application's own dependencies to the user's classpath.
 */
class FreshProjectIT {
    private static final Pattern BLOCK = Pattern.compile("```(xml|java)\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("\nclass (\\w+)");

    @Test
    void thePagesTestClassPassesInAFreshProjectWithThePagesDependencies(@TempDir Path project) throws IOException {
        String section = Files.readString(Path.of("docs/TEST-KIT.md"));
        String dependencies = block(section, "xml");
        String testClass = block(section, "java");
        Matcher className = CLASS_NAME.matcher(testClass);
        assertThat(className.find()).as("the page's test class has a name").isTrue();
        install();
        Files.writeString(project.resolve("pom.xml"), pom(dependencies));
        Path tests = Files.createDirectories(project.resolve("src/test/java"));
        Files.writeString(tests.resolve(className.group(1) + ".java"), testClass);

        ChildProcess.Result build = maven(project, "test", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt",
                "-Dmdep.includeScope=test");

        assertThat(build.exitCode()).as("the fresh project's build:%n%s", build.output()).isZero();
        assertThat(build.output()).contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");
        String classpath = Files.readString(project.resolve("classpath.txt"));
        assertThat(classpath).contains("kafka-streams-4.4.0.jar", "kafka-streams-test-utils-4.4.0.jar")
                .doesNotContain("slf4j-simple", "picocli", "micrometer", "prometheus", "jetty");
    }

    /** The one code block of {@code language} in {@code section}. */
    private static String block(String section, String language) {
        List<String> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(section);
        while (block.find()) {
            if (block.group(1).equals(language)) {
                blocks.add(block.group(2));
            }
        }
        assertThat(blocks).as("%s blocks", language).hasSize(1);
        return blocks.get(0);
    }

    /** The library's jar and pom where {@code mvn install} would put them. */
    private static void install() throws IOException {
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        Path jar = Path.of("target", "preload-job-processor-" + version + ".jar");
        assertThat(jar).as("the library jar (the package phase makes it)").exists();
        Path into = localRepository().resolve(Path.of("cdn", "preload", "preload-job-processor", version));
        Files.createDirectories(into);
        Files.copy(jar, into.resolve(jar.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("pom.xml"), into.resolve("preload-job-processor-" + version + ".pom"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** A new user's project: JUnit 5, Java 17, and the page's dependencies. */
    private static String pom(String dependencies) {
        return """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>front-end</artifactId>
                  <version>1.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>org.junit.jupiter</groupId>
                      <artifactId>junit-jupiter</artifactId>
                      <version>%s</version>
                      <scope>test</scope>
                    </dependency>
                %s
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>3.13.0</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-surefire-plugin</artifactId>
                        <version>3.5.2</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-dependency-plugin</artifactId>
                        <version>3.8.1</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(System.getProperty("junit.version", "5.14.1"), dependencies);
    }

    /** Runs Maven on {@code project}, offline: this build has already fetched all it needs. */
    private static ChildProcess.Result maven(Path project, String... goals) {
        String home = System.getProperty("maven.home");
        String mvn = home == null || home.isBlank() ? "mvn" : Path.of(home, "bin", "mvn").toString(); // the build's own
        List<String> command = new ArrayList<>(List.of(mvn, "-B", "-o", "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + localRepository()));
        command.addAll(List.of(goals));
        return ChildProcess.command(command).run(Duration.ofMinutes(5));
    }
}
