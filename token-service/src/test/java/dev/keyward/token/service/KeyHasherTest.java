package dev.keyward.token.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyHasherTest {

    @Test
    void refusesToRunWithoutAPepper() {
        assertThatThrownBy(() -> new KeyHasher(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KEYWARD_PEPPER");
        assertThatThrownBy(() -> new KeyHasher("short")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hashesAreKeyedByThePepper() {
        String key = "kw_prod_o_0123456789abcdefghijABCDEFGHIJkl_000000";
        String a = new KeyHasher("pepper-number-one-0001").hash(key);
        assertThat(a).hasSize(64).doesNotContain(key).isEqualTo(new KeyHasher("pepper-number-one-0001").hash(key));
        assertThat(new KeyHasher("pepper-number-two-0002").hash(key)).isNotEqualTo(a);
        assertThat(KeyHasher.sameSecret(a, a)).isTrue();
        assertThat(KeyHasher.sameSecret(a, a.substring(1))).isFalse();
        assertThat(KeyHasher.sameSecret(a, null)).isFalse();
    }
}
