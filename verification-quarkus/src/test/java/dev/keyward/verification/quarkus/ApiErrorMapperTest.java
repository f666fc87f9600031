package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiError;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.StrictJsonBodies;
import dev.keyward.verification.Verification;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiErrorMapperTest {

    private final ApiErrorMapper basic = new ApiErrorMapper(Optional.empty());
    private final ApiErrorMapper bearer = new ApiErrorMapper(Optional.of("Bearer realm=\"keyward\""));

    record Probe(String actor) {
    }

    @Test
    void anApiExceptionIsItsBodyWithTheConfiguredChallengeOn401() {
        Response refused = bearer.api(ApiException.unauthorized("the token is unknown"));
        assertThat(refused.getStatus()).isEqualTo(401);
        assertThat(refused.getEntity()).isEqualTo(new ApiError("unauthorized", "the token is unknown"));
        assertThat(refused.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer realm=\"keyward\"");
        assertThat(basic.api(ApiException.unauthorized("no")).getHeaderString("WWW-Authenticate"))
                .isEqualTo(KeywardAuthException.CHALLENGE);
        assertThat(basic.api(ApiException.notFound("no such repository")).getHeaderString("WWW-Authenticate")).isNull();
    }

    @Test
    void aRetryAfterDetailIsAlsoTheHeader() {
        Response limited = basic.api(new ApiException(429, "rate_limited", "retry later", Map.of("retry_after", 12)));
        assertThat(limited.getStatus()).isEqualTo(429);
        assertThat(limited.getHeaderString("Retry-After")).isEqualTo("12");
        assertThat(((ApiError) limited.getEntity()).details()).containsEntry("retry_after", 12);
    }

    @Test
    void theVerifiersRefusalIsAnsweredAsBuiltWithTheBasicChallenge() throws Exception {
        Response refused = bearer.refused(new KeywardAuthException(Verification.refused(RefusalReason.MISSING, "no \"credentials\"")));
        assertThat(refused.getStatus()).isEqualTo(401);
        assertThat(refused.getHeaderString("WWW-Authenticate")).isEqualTo(KeywardAuthException.CHALLENGE);
        assertThat(new ObjectMapper().readTree((String) refused.getEntity()).get("message").asText()).isEqualTo("no \"credentials\"");
        Response limited = basic.refused(new KeywardAuthException(Verification.refused(RefusalReason.RATE_LIMITED, "slow down")
                .withRetryAfter(Duration.ofSeconds(5))));
        assertThat(limited.getHeaderString("Retry-After")).isEqualTo("5");
    }

    @Test
    void frameworkRefusalsGetOurFixedMessages() {
        Response missing = basic.web(new NotFoundException("HTTP 404 Not Found /v1/kw_secret"));
        assertThat(missing.getStatus()).isEqualTo(404);
        assertThat(missing.getEntity()).isEqualTo(new ApiError("not_found", "no such resource"));
        assertThat(((ApiError) basic.web(new NotAcceptableException()).getEntity()).error()).isEqualTo("not_acceptable");
    }

    @Test
    void aRefusedBodyNamesTheFieldNeverTheValue() {
        Exception refused = null;
        try {
            StrictJsonBodies.configure(new ObjectMapper()).readValue("{\"actor\":\"kw_secret\",\"actro\":1}", Probe.class);
        } catch (Exception e) {
            refused = e;
        }
        Response answer = basic.malformedJson((com.fasterxml.jackson.core.JsonProcessingException) refused);
        assertThat(answer.getStatus()).isEqualTo(422);
        ApiError body = (ApiError) answer.getEntity();
        assertThat(body.error()).isEqualTo("unknown_field");
        assertThat(body.message()).contains("'actro'").doesNotContain("kw_secret");
    }

    @Test
    void anOutageIs503AndABugIs500WithoutItsMessage() {
        Response outage = basic.unexpected(new IllegalStateException("tx", new ConnectException("Connection refused")));
        assertThat(outage.getStatus()).isEqualTo(503);
        assertThat(outage.getHeaderString("Retry-After")).isEqualTo("1");
        Response bug = basic.unexpected(new IllegalStateException("kw_secret in a message"));
        assertThat(bug.getStatus()).isEqualTo(500);
        assertThat(bug.getEntity()).isEqualTo(new ApiError("internal", "internal error"));
        Response wrapped = basic.unexpected(new RuntimeException(ApiException.forbidden("not allowed")));
        assertThat(wrapped.getStatus()).isEqualTo(403);
    }
}
