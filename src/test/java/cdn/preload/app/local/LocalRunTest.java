package cdn.preload.app.local;

import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What bin/run prints once it is ready, without a broker. */
class LocalRunTest {
    private static final String TOKEN = "a-token-of-the-users-own-0123456789";
    private static final Settings SETTINGS = Settings.fromEnvironment(Map.of("HTTP_AUTH_TOKEN", TOKEN, "HTTP_PORT", "8081"));

    @Test
    void aTokenTheRunMadeIsPrintedInAReadyCurlLine() {
        String printed = LocalRun.howToUse(SETTINGS, "the local broker at localhost:9092", true);

        assertThat(printed).contains("""
                A job, and its site's jobs, for its account, with this run's token (HTTP_AUTH_TOKEN):
                  curl -H 'Authorization: Bearer %s' 'http://localhost:8081/jobs/665d3af3621bccf3fe29e1a4?AliUid=15685865xxx14622'
                  curl -H 'Authorization: Bearer %s' 'http://localhost:8081/jobs?SiteId=190007158391808&AliUid=15685865xxx14622'
                Ctrl-C stops the processor and the broker.
                """.formatted(TOKEN, TOKEN));
    }

    @Test
    void theJarsCommandLineComesFirstNamingTheBrokerWhenItIsNotTheDefault() {
        assertThat(LocalRun.howToUse(SETTINGS, "the local broker at localhost:9092", true)).contains("""
                Try it from another terminal, with the jar's command line:
                  java -jar target/preload-job-processor.jar jobs put examples/job.json
                  java -jar target/preload-job-processor.jar reset --id 665d3af3621bccf3fe29e1a4 --uid 15685865xxx14622
                  java -jar target/preload-job-processor.jar tail
                Or with kcat:
                """);
        Settings elsewhere = SETTINGS.withKafkaProperty("bootstrap.servers", "localhost:29092");
        assertThat(LocalRun.howToUse(elsewhere, "the local broker at localhost:29092", true)).contains("""
                  java -jar target/preload-job-processor.jar jobs put --bootstrap-servers localhost:29092 examples/job.json
                """);
    }

    @Test
    void aTokenTheUserGaveIsNeverPrintedTheCurlLineNamesItsVariable() {
        String printed = LocalRun.howToUse(SETTINGS, "the local broker at localhost:9092", false);

        assertThat(printed).doesNotContain(TOKEN).contains("""
                A job, and its site's jobs, for its account, with the token HTTP_AUTH_TOKEN gives (not printed):
                  curl -H "Authorization: Bearer $HTTP_AUTH_TOKEN" 'http://localhost:8081/jobs/665d3af3621bccf3fe29e1a4?AliUid=15685865xxx14622'
                  curl -H "Authorization: Bearer $HTTP_AUTH_TOKEN" 'http://localhost:8081/jobs?SiteId=190007158391808&AliUid=15685865xxx14622'
                Ctrl-C stops the processor and the broker.
                """);
    }
}
