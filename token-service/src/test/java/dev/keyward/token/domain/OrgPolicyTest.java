package dev.keyward.token.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OrgPolicyTest {

    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void defaultsAreSpecs() {
        OrgPolicy p = OrgPolicy.DEFAULT;
        assertThat(p.maxActivePerUser()).isEqualTo(12);
        assertThat(p.maxActivePerOrg()).isEqualTo(1000);
        assertThat(p.expiryFor(null, NOW)).contains(NOW.plus(Duration.ofDays(90)));
        assertThat(p.expiryFor(3600L, NOW)).contains(NOW.plusSeconds(3600));
        assertThatThrownBy(() -> p.expiryFor(0L, NOW)).isInstanceOf(ApiException.class)
                .extracting(e -> ((ApiException) e).status()).isEqualTo(422);
        assertThatThrownBy(() -> p.expiryFor(31_536_001L, NOW)).isInstanceOf(ApiException.class);
    }

    @Test
    void cidrBlocksAreCanonical() {
        assertThat(CidrBlocks.parseAll(java.util.List.of("10.0.0.0/8", "::1", " 192.168.0.1 ")))
                .containsExactly("10.0.0.0/8", "0:0:0:0:0:0:0:1/128", "192.168.0.1/32");
        assertThatThrownBy(() -> CidrBlocks.parseAll(java.util.List.of("10.0.0.0/-1"))).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> CidrBlocks.parseAll(java.util.List.of("localhost"))).isInstanceOf(ApiException.class);
    }
}
