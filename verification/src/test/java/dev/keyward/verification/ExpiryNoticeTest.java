package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpiryNoticeTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void onlyWithinTheWindowAsAnImfFixdate() {
        ExpiryNotice notice = ExpiryNotice.of(principal(NOW.plus(Duration.ofDays(3)).plusSeconds(60), CredentialForm.API_KEY),
                Duration.ofDays(14), NOW).orElseThrow();
        assertThat(notice.sunsetHeader()).isEqualTo("Wed, 04 Mar 2026 10:01:00 GMT");
        assertThat(notice.warning()).startsWith("warning: this Keyward token expires in 3 days");
        assertThat(ExpiryNotice.of(principal(NOW.plus(Duration.ofDays(15)), CredentialForm.API_KEY), Duration.ofDays(14), NOW))
                .isEmpty();
        assertThat(ExpiryNotice.of(principal(null, CredentialForm.API_KEY), Duration.ofDays(14), NOW)).isEmpty();
    }

    @Test
    void aCallerGetsItWithinItsOrgsNoticeDaysAndOnlyForAnApiKey() {
        OrgRulesCache defaults = OrgRulesCache.defaults(); // notice_days 14
        assertThat(ExpiryNotice.forCaller(principal(NOW.plus(Duration.ofDays(13)), CredentialForm.API_KEY), defaults, NOW))
                .isPresent();
        assertThat(ExpiryNotice.forCaller(principal(NOW.plus(Duration.ofDays(30)), CredentialForm.API_KEY), defaults, NOW))
                .isEmpty();
        // A customer JWT lives at most a day: it would always carry one, and its issuer renews it anyway.
        assertThat(ExpiryNotice.forCaller(principal(NOW.plus(Duration.ofHours(1)), CredentialForm.CUSTOMER_JWT), defaults, NOW))
                .isEmpty();
    }

    private static VerifiedPrincipal principal(Instant expiresAt, CredentialForm form) {
        return new VerifiedPrincipal("acme", "u", "tok_1", TokenKind.REPO, Scopes.parse(Map.of("repos:*", List.of("git:read"))),
                expiresAt, form == CredentialForm.API_KEY ? "kw_prod_r_ab" : null, List.of(), form, null);
    }
}
