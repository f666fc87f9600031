package dev.keyward.audit.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PageTokensTest {

    private final EventFilter filter = new EventFilter("acme", "token:used", null, null, null, null, null);

    @Test
    void roundTripsThePosition() {
        EventPosition position = new EventPosition(Instant.parse("2026-01-01T00:00:00.123456Z"), 42);
        assertThat(PageTokens.decode(PageTokens.encode(position, filter), filter)).isEqualTo(position);
    }

    @Test
    void refusesATokenOfOtherFiltersOrOrgs() {
        String token = PageTokens.encode(new EventPosition(Instant.now(), 1), filter);
        assertThatThrownBy(() -> PageTokens.decode(token, new EventFilter("acme", null, null, null, null, null, null)))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> PageTokens.decode(token, new EventFilter("globex", "token:used", null, null, null, null, null)))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void refusesGarbage() {
        for (String bad : new String[] {"garbage", "!!!", "djF8eHx5fHp8dw", ""}) {
            assertThatThrownBy(() -> PageTokens.decode(bad, filter)).isInstanceOf(ApiException.class)
                    .extracting(e -> ((ApiException) e).error()).isEqualTo("invalid_page_token");
        }
    }
}
