package dev.keyward.cli.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class LoopbackReceiverTests {

    @Test
    void theFirstRedirectIsTheAnswerAndTheBrowserIsToldItMayClose() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(0)) {
            assertThat(receiver.redirectUri()).matches("http://127\\.0\\.0\\.1:\\d+/callback");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                    URI.create(receiver.redirectUri() + "?code=abc%2Fdef&state=s1")).build(), HttpResponse.BodyHandlers.ofString());
            http.send(HttpRequest.newBuilder(URI.create(receiver.redirectUri() + "?code=other&state=s2")).build(),
                    HttpResponse.BodyHandlers.discarding());

            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("You can close this tab");
            assertThat(receiver.await(Duration.ofSeconds(5))).isEqualTo(Map.of("code", "abc/def", "state", "s1"));
        }
    }

    @Test
    void anErrorRedirectIsPassedOn() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(0)) {
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(receiver.redirectUri() + "?error=access_denied&state=s")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(page.statusCode()).isEqualTo(400);
            assertThat(receiver.await(Duration.ofSeconds(5))).containsEntry("error", "access_denied");
        }
    }

    @Test
    void waitingEndsAtTheTimeout() throws Exception {
        try (LoopbackReceiver receiver = LoopbackReceiver.start(0)) {
            assertThatThrownBy(() -> receiver.await(Duration.ofMillis(200))).isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void pkceChallengeIsTheS256OfTheVerifier() {
        // RFC 7636 appendix B
        assertThat(Pkce.challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
                .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        Pkce pkce = Pkce.create();
        assertThat(pkce.verifier()).hasSizeBetween(43, 128).matches("[A-Za-z0-9_-]+");
        assertThat(pkce.challenge()).isEqualTo(Pkce.challengeOf(pkce.verifier()));
    }
}
