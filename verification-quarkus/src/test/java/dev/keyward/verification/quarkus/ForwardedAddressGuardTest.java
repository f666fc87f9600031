package dev.keyward.verification.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForwardedAddressGuardTest {

    @Test
    void forwardingNeedsNamedTrustedProxies() {
        assertThat(ForwardedAddressGuard.problem(true, Optional.empty())).hasValueSatisfying(m -> assertThat(m).contains("trusted-proxies"));
        assertThat(ForwardedAddressGuard.problem(true, Optional.of(" "))).isPresent();
        assertThat(ForwardedAddressGuard.problem(true, Optional.of("10.0.0.0/8"))).isEmpty();
        assertThat(ForwardedAddressGuard.problem(false, Optional.empty())).isEmpty();
    }
}
