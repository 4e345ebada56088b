package cdn.preload.streams;

import static cdn.preload.streams.Examples.EXAMPLE_ID;
import static cdn.preload.streams.Examples.EXAMPLE_JOB;
import static cdn.preload.streams.Examples.EXAMPLE_UID;
import static cdn.preload.streams.Examples.OTHER_ID;
import static cdn.preload.streams.Examples.expectedError;
import static cdn.preload.streams.HttpApiIT.request;
import static org.assertj.core.api.Assertions.assertThat;

import cdn.preload.app.runtime.ProcessorApp;
import cdn.preload.config.Settings;
import cdn.preload.domain.ErrorCode;
import cdn.preload.domain.Json;
import cdn.preload.domain.Snapshot;
import cdn.preload.streams.HttpApiIT.Reply;
import cdn.preload.testing.TestDirs;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /jobs/{Id}} answers only a caller with the bearer token, and only for the job's own
 * account, with the reset's checks in the reset's order (SPEC, "Trust"); on the instance that holds
 * the job and through one that forwards to it.
 */
class HttpTrustIT extends RealProcessorTest {

    /** An account whose name needs encoding in a query: a space, a plus, an ampersand, an equals sign, a non-ASCII letter. */
    private static final String ODD_ACCOUNT = "acme corp+ü&x=1";
    private static final String ODD_ID = "665d3af3621bccf3fe29e1b0";

    @Test
    void aJobIsShownOnlyToItsAccountAndOnlyWithTheTokenOnEitherInstance() throws IOException {
        fixture.putJob(EXAMPLE_JOB);
        fixture.putJob(AnyProducerIT.withIdAndOwner(ODD_ID, ODD_ACCOUNT));
        Settings second = fixture.settings.withKafkaProperty("state.dir", TestDirs.create("preload-trust").toString());
        try (ProcessorApp other = ProcessorApp.create(second)) {
            other.start();
            URI one = fixture.http("");
            URI two = URI.create("http://127.0.0.1:" + other.httpPort());
            // Settled first: a query between the two rebalances of the second's join is answered 503.
            fixture.awaitSettled(other.streams());
            fixture.await(() -> ask(one, EXAMPLE_ID, EXAMPLE_UID, fixture.token()).status() == 200
                    && ask(two, EXAMPLE_ID, EXAMPLE_UID, fixture.token()).status() == 200, "both instances to answer the job");

            for (URI instance : List.of(one, two)) {
                Reply owner = ask(instance, EXAMPLE_ID, EXAMPLE_UID, fixture.token());
                assertThat(owner.status()).isEqualTo(200);
                assertThat(owner.json()).isEqualTo(AnyProducerIT.document(new Snapshot(owner.json().get("RequestId").asText(), EXAMPLE_JOB)));

                for (String token : new String[] {null, "a-wrong-token-of-some-length", fixture.token() + "x"}) {
                    Reply refused = ask(instance, EXAMPLE_ID, EXAMPLE_UID, token);
                    assertThat(refused.status()).as("token %s", token).isEqualTo(401);
                    assertThat(refused.response().headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"preload-job-processor\"");
                    assertThat(refused.json()).isEqualTo(AnyProducerIT.document(Json.MAPPER.createObjectNode()
                            .put("error", "Job queries need the header Authorization: Bearer <HTTP_AUTH_TOKEN>.")));
                }
                assertErrorEvent(ask(instance, EXAMPLE_ID, "intruder", fixture.token()), 403, EXAMPLE_ID,
                        ErrorCode.INVALID_UID_PERMISSION_DENIED);
                assertErrorEvent(request(instance.resolve("/jobs/" + EXAMPLE_ID), "GET", fixture.token()), 403, EXAMPLE_ID,
                        ErrorCode.INVALID_UID_PERMISSION_DENIED);
                assertErrorEvent(ask(instance, OTHER_ID, EXAMPLE_UID, fixture.token()), 404, OTHER_ID,
                        ErrorCode.INVALID_JOB_NOT_FOUND);
                assertErrorEvent(ask(instance, OTHER_ID, "intruder", fixture.token()), 404, OTHER_ID,
                        ErrorCode.INVALID_JOB_NOT_FOUND);
                assertErrorEvent(ask(instance, "NOT-AN-ID", EXAMPLE_UID, fixture.token()), 400, "NOT-AN-ID",
                        ErrorCode.INVALID_PARAMETER_OBJECT_ID);
                assertThat(ask(instance, "NOT-AN-ID", EXAMPLE_UID, null).status()).as("the token before anything else").isEqualTo(401);
                assertThat(ask(instance, ODD_ID, ODD_ACCOUNT, fixture.token()).status()).as("an account that needs encoding")
                        .isEqualTo(200);
                assertErrorEvent(ask(instance, ODD_ID, "acme corp", fixture.token()), 403, ODD_ID,
                        ErrorCode.INVALID_UID_PERMISSION_DENIED);
                assertThat(raw(instance, "GET /jobs/" + ODD_ID + "?AliUid=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        + "Authorization: Bearer " + fixture.token() + "\r\n\r\n"))
                        .as("a malformed query").startsWith("HTTP/1.1 400 ").contains("{\"error\":\"The query is not valid");
            }
        }
    }

    @Test
    void withoutAConfiguredTokenJobQueriesAreRefusedToEveryoneAndHealthStaysOpen() throws IOException {
        fixture.putJob(EXAMPLE_JOB);
        Map<String, String> env = new HashMap<>(fixture.env);
        env.remove("HTTP_AUTH_TOKEN");
        env.put("KAFKA_APPLICATION_ID", env.get("KAFKA_APPLICATION_ID") + "-untokened");
        env.put("KAFKA_STATE_DIR", TestDirs.create("preload-untokened").toString());
        try (ProcessorApp untokened = ProcessorApp.create(Settings.fromEnvironment(env))) {
            untokened.start();
            URI base = URI.create("http://127.0.0.1:" + untokened.httpPort());
            fixture.await(() -> untokened.streams().state() == KafkaStreams.State.RUNNING, "the second processor to run");

            for (String token : new String[] {null, fixture.token(), "anything-at-all-really"}) {
                Reply refused = ask(base, EXAMPLE_ID, EXAMPLE_UID, token);
                assertThat(refused.status()).isEqualTo(401);
                assertThat(refused.json().get("error").asText()).isEqualTo("Job queries are off: the processor has no HTTP_AUTH_TOKEN.");
                assertThat(refused.body()).doesNotContain(EXAMPLE_UID, "testurl.com", "example");
            }
            assertThat(HttpApiIT.get(base.resolve("/health/live")).status()).isEqualTo(200);
            assertThat(HttpApiIT.get(base.resolve("/metrics")).body()).doesNotContain("testurl.com");
        }
    }

    /** What the server answers to {@code request}, sent as it is (a client would refuse to send a malformed one). */
    private static String raw(URI instance, String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", instance.getPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Reply ask(URI instance, String id, String aliUid, String token) {
        return request(instance.resolve("/jobs/" + id + "?AliUid=" + java.net.URLEncoder.encode(aliUid, StandardCharsets.UTF_8)),
                "GET", token);
    }

    private static void assertErrorEvent(Reply reply, int status, String id, ErrorCode code) {
        assertThat(reply.status()).isEqualTo(status);
        ObjectNode body = (ObjectNode) reply.json();
        assertThat(body.get("RequestId").asText()).hasSize(36);
        body.put("RequestId", "x");
        assertThat(body).isEqualTo(expectedError("x", id, code));
    }
}
