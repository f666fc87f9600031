package dev.keyward.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiErrorTest {

    private final ObjectMapper json = new ObjectMapper();

    private Map<String, Object> read(String text) throws Exception {
        return json.readValue(text, new TypeReference<>() { });
    }

    @Test
    void writesErrorAndMessageAndNothingElseWhenThereAreNoDetails() throws Exception {
        String text = new ApiError("not_found", "no such repository").toJson();
        assertThat(text).startsWith("{\"error\":\"not_found\",\"message\":");
        assertThat(read(text)).containsExactly(Map.entry("error", "not_found"), Map.entry("message", "no such repository"));
        assertThat(text).doesNotContain("null").doesNotContain("details");
    }

    @Test
    void detailsAreWrittenFlatBesideErrorAndMessage() throws Exception {
        ApiError error = new ApiError("rate_limited", "retry later", Map.of("retry_after", 7, "excess", List.of("repo:admin")));
        Map<String, Object> body = read(error.toJson());
        assertThat(body).containsOnlyKeys("error", "message", "retry_after", "excess");
        assertThat(body.get("retry_after")).isEqualTo(7);
        assertThat(body.get("excess")).isEqualTo(List.of("repo:admin"));
        // Any ObjectMapper (a service's entity writer) writes the same object.
        assertThat(read(json.writeValueAsString(error))).isEqualTo(body);
    }

    @Test
    void quotesAndControlCharactersAreEscaped() throws Exception {
        String message = "bad \"name\\\" \n\u0001 ü";
        byte[] bytes = new ApiError("bad_request", message).toJsonBytes();
        assertThat(read(new String(bytes, StandardCharsets.UTF_8))).containsEntry("message", message);
    }

    @Test
    void aMissingMessageIsTheCodeAndDetailsCannotReplaceTheFields() {
        assertThat(new ApiError("internal", null).message()).isEqualTo("internal");
        assertThatThrownBy(() -> new ApiError("x", "y", Map.of("error", "z"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anExceptionCarriesItsStatusAndBody() {
        ApiException e = new ApiException(429, "rate_limited", "too many", Map.of("retry_after", 3));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.body()).isEqualTo(new ApiError("rate_limited", "too many", Map.of("retry_after", 3)));
        assertThat(ApiException.badRequest("invalid_page_size", "page_size must be a whole number").body().error())
                .isEqualTo("invalid_page_size");
        assertThat(ApiException.conflict("repository r already exists").status()).isEqualTo(409);
        assertThat(ApiException.conflict("repository r already exists").error()).isEqualTo("conflict");
    }
}
