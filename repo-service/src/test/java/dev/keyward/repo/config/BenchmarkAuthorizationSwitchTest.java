package dev.keyward.repo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BenchmarkAuthorizationSwitchTest {

    @Test
    void isOffUnlessConfigured() {
        BenchmarkAuthorizationSwitch off = new BenchmarkAuthorizationSwitch(Optional.empty(), List.of("prod"));
        assertThat(off.unauthorizedReadOrg(null, null)).isEmpty();
    }

    @Test
    void isRefusedInTheProdProfile() {
        assertThatThrownBy(() -> new BenchmarkAuthorizationSwitch(Optional.of("acme"), List.of("prod")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(BenchmarkAuthorizationSwitch.PROPERTY);
    }

    @Test
    void servesOnlyRequestsWithoutCredentials() {
        BenchmarkAuthorizationSwitch on = new BenchmarkAuthorizationSwitch(Optional.of("acme"), List.of("bench"));
        assertThat(on.unauthorizedReadOrg(null, " ")).contains("acme");
        assertThat(on.unauthorizedReadOrg("Bearer kw_x", null)).isEmpty();
        assertThat(on.unauthorizedReadOrg(null, "kw_x")).isEmpty();
    }
}
