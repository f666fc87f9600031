package dev.keyward.token.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.contract.Scopes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Without a signing secret nothing touches the database: exchange answers 503, the JWKS is empty. */
class ExchangeDisabledTest {

    private static SigningKeys keys(Optional<String> secret) {
        return new SigningKeys(secret, Duration.ofDays(30), Optional.empty(), null, null, Clock.systemUTC());
    }

    @Test
    void withoutASecretSigningAnswers503AndNothingIsPublished() {
        SigningKeys keys = keys(Optional.empty());
        ExchangedTokenSigner signer = new ExchangedTokenSigner(keys);
        ExchangedToken token = new ExchangedToken(ExchangedToken.DEFAULT_ISSUER, "repo:acme/app", "acme",
                Scopes.parse(Map.of("repos:acme/app", List.of("git:read"))), "tp_0123456789abcdef", ExchangedToken.newJti(),
                Instant.now(), Instant.now().plusSeconds(600));

        assertThat(signer.enabled()).isFalse();
        assertThat(keys(Optional.of("   ")).enabled()).isFalse();
        assertThatThrownBy(() -> signer.sign(token).await().indefinitely())
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.error()).isEqualTo("exchange_disabled");
                    assertThat(e.getMessage()).isEqualTo(
                            "token exchange needs keyward.signing-keys.secret (KEYWARD_SIGNING_KEYS_SECRET)");
                });
        assertThat(keys.publishedJwks().await().indefinitely()).isEmpty();
        assertThat(keys.rotateIfDue(Instant.now()).await().indefinitely()).isEqualTo(new SigningKeys.Rotation(0, 0));
    }

    @Test
    void aSecretTooShortRefusesTheStart() {
        assertThatThrownBy(() -> keys(Optional.of("short"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KEYWARD_SIGNING_KEYS_SECRET");
    }

    @Test
    void aRetiredKeyOutlivesEveryTokenItCanHaveSigned() {
        SigningKeys keys = new SigningKeys(Optional.of("x".repeat(32)), Duration.ofDays(30), Optional.of(Duration.ofMinutes(10)),
                null, null, Clock.systemUTC());
        Instant retired = Instant.parse("2026-01-01T00:00:00Z");

        // another replica signs with it for up to a minute more, its tokens live 10 min, verifiers allow 60 s
        assertThat(keys.publishUntil(retired)).isEqualTo(retired.plus(Duration.ofMinutes(10)).plusSeconds(60 + 120));
        assertThat(keys.publishUntil(retired)).isAfter(retired.plus(SigningKeys.CACHE_FOR).plus(Duration.ofMinutes(10))
                .plus(SigningKeys.VERIFIER_SKEW));
    }
}
