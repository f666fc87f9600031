package dev.keyward.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.system.OtlpReceiver.ReceivedSpan;
import dev.keyward.testsupport.GitCli;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One trace follows a request through every service it makes work for: a {@code git clone} from
 * repo-service's git requests to token-service's introspection (over the verifier's own HTTP
 * client) and, through Kafka, to the audit trail storing its {@code token:used}; a token created
 * from token-service's API through the outbox relay (which publishes later, from its own thread) to
 * the audit trail. The requests bring their caller's sampled {@code traceparent} (git's
 * {@code http.extraHeader}), as a traced CI job would; the stack starts no trace by itself.
 */
class TracingTests {

    private static final String REPO = "tracing/app";
    /** Batches leave each service every 100 ms here; the usage event waits for its 1 s coalesce window. */
    private static final Duration EXPORTED = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SystemStack system = SystemStack.shared();

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aCloneIsOneTraceFromRepoServiceThroughIntrospectionToTheAuditTrail() throws Exception {
        String creator = system.createCreator("tracing-lead", "tracing/*").getString("token");
        system.createRepoWithCommit(creator, REPO);
        // A key repo-service has never seen: the clone's first authorized request asks token-service.
        SystemStack.HttpAnswer created = system.createReadToken(creator, "tracing-ci", "tracing/*");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Caller caller = Caller.random();

        Path clone = Files.createTempDirectory(system.work(), "traced").resolve("app");
        GitCli.Result cloned = system.git(system.work(), "-c", "http.extraHeader=traceparent: " + caller.traceparent(),
                "clone", system.gitUrl(created.json().getString("token"), REPO), clone.toString());
        assertThat(cloned.exitCode()).as(cloned.output()).isZero();

        await().atMost(EXPORTED).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<ReceivedSpan> trace = system.otlp().trace(caller.traceId());
            List<ReceivedSpan> gitRequests = spans(trace, "repo-service", SpanKind.SPAN_KIND_SERVER);
            assertThat(gitRequests).as("repo-service's git requests in %s", trace)
                    .extracting(s -> s.attribute("url.path"))
                    .anyMatch(path -> path.endsWith("/" + REPO + ".git/info/refs"))
                    .anyMatch(path -> path.endsWith("/" + REPO + ".git/git-upload-pack"));
            assertThat(gitRequests).as("children of the caller's span").allSatisfy(s ->
                    assertThat(s.parentSpanId()).isEqualTo(caller.spanId()));
            Set<String> gitSpans = gitRequests.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());

            assertThat(spans(trace, "token-service", SpanKind.SPAN_KIND_SERVER))
                    .as("token-service's introspection, inside a git request, in %s", trace)
                    .filteredOn(s -> "/internal/introspect".equals(s.attribute("url.path")))
                    .isNotEmpty().allSatisfy(s -> assertThat(gitSpans).contains(s.parentSpanId()));

            ReceivedSpan published = publishedIn(trace, "repo-service", "keyward.usage");
            assertThat(gitSpans).as("the token:used record belongs to a git request").contains(published.parentSpanId());
            assertThat(consumedIn(trace, "audit-service", "keyward.usage"))
                    .as("audit-service's consumer continues from the record").isNotEmpty()
                    .allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(published.spanId()));
        });
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aTokenCreatedIsOneTraceThroughTheOutboxToTheAuditTrail() {
        String creator = system.createCreator("tracing-minter", "tracing-minted/*").getString("token");
        Caller caller = Caller.random();

        Response created = given().header("Authorization", "Bearer " + creator).header("traceparent", caller.traceparent())
                .contentType(ContentType.JSON)
                .body(Map.of("name", "traced", "kind", "repo", "scopes", Map.of("repos:tracing-minted/*", List.of("git:read")),
                        "expires_in", SystemStack.EXPIRES_IN))
                .post(system.stack().tokenServiceUrl() + "/v1/tokens");
        assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
        system.remember(created.jsonPath().getString("token"));

        await().atMost(EXPORTED).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            List<ReceivedSpan> trace = system.otlp().trace(caller.traceId());
            assertThat(spans(trace, "token-service", SpanKind.SPAN_KIND_SERVER)).as("POST /v1/tokens in %s", trace)
                    .singleElement().satisfies(s -> {
                        assertThat(s.attribute("url.path")).isEqualTo("/v1/tokens");
                        assertThat(s.parentSpanId()).isEqualTo(caller.spanId());
                    });
            Set<String> tokenServiceSpans = trace.stream().filter(s -> "token-service".equals(s.service()))
                    .map(ReceivedSpan::spanId).collect(Collectors.toSet());
            ReceivedSpan published = publishedIn(trace, "token-service", "keyward.events");
            assertThat(tokenServiceSpans).as("the relay's record continues the request").contains(published.parentSpanId());
            assertThat(consumedIn(trace, "audit-service", "keyward.events"))
                    .as("audit-service's consumer continues from the record").isNotEmpty()
                    .allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(published.spanId()));
        });
    }

    private static List<ReceivedSpan> spans(List<ReceivedSpan> trace, String service, SpanKind kind) {
        return trace.stream().filter(s -> service.equals(s.service()) && s.kind() == kind).toList();
    }

    /** The one record {@code service} published to {@code topic} in the trace (fails the attempt otherwise). */
    private static ReceivedSpan publishedIn(List<ReceivedSpan> trace, String service, String topic) {
        List<ReceivedSpan> published = spans(trace, service, SpanKind.SPAN_KIND_PRODUCER).stream()
                .filter(s -> topic.equals(s.attribute("messaging.destination.name"))).toList();
        assertThat(published).as("%s's records to %s in %s", service, topic, trace).hasSize(1);
        return published.get(0);
    }

    private static List<ReceivedSpan> consumedIn(List<ReceivedSpan> trace, String service, String topic) {
        return spans(trace, service, SpanKind.SPAN_KIND_CONSUMER).stream()
                .filter(s -> topic.equals(s.attribute("messaging.destination.name"))).toList();
    }

    /** A traced caller: a fresh trace and the span its request is sent from (sampled). */
    private record Caller(String traceId, String spanId) {

        static Caller random() {
            byte[] trace = new byte[16];
            byte[] span = new byte[8];
            RANDOM.nextBytes(trace);
            RANDOM.nextBytes(span);
            return new Caller(HexFormat.of().formatHex(trace), HexFormat.of().formatHex(span));
        }

        String traceparent() {
            return "00-" + traceId + "-" + spanId + "-01";
        }
    }
}
