package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.RefusalReason;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PresentedCredentialTest {

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void takesTheTokenFromBearerApiKeyHeaderAndBasicPassword() {
        assertThat(PresentedCredential.extract("Bearer abc.def.ghi", null).token()).isEqualTo("abc.def.ghi");
        assertThat(PresentedCredential.extract("bearer   tok", null).token()).isEqualTo("tok");
        assertThat(PresentedCredential.extract(null, "kw_dev_r_x").token()).isEqualTo("kw_dev_r_x");
        assertThat(PresentedCredential.extract(basic("anyone:kw_prod_o_secret"), null).token()).isEqualTo("kw_prod_o_secret");
        assertThat(PresentedCredential.extract(basic("x:pass:with:colons"), null).token()).isEqualTo("pass:with:colons");
        assertThat(PresentedCredential.extract("Bearer same", "same").token()).isEqualTo("same");
    }

    @Test
    void nothingIsMissingAndOddHeadersAreMalformed() {
        assertThat(PresentedCredential.extract(null, null).refusal().reason()).isEqualTo(RefusalReason.MISSING);
        assertThat(PresentedCredential.extract("  ", "").refusal().reason()).isEqualTo(RefusalReason.MISSING);
        assertThat(PresentedCredential.extract("Digest abc", null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract("Bearer", null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract(basic("user:"), null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract(basic("nocolon"), null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract("Basic !!!notbase64", null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract("Bearer one", "two").refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
        assertThat(PresentedCredential.extract("Bearer " + "a".repeat(9000), null).refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
    }

    @Test
    void refusalMessagesNeverEchoTheToken() {
        PresentedCredential c = PresentedCredential.extract("Bearer kw_secret_one", "kw_secret_two");
        assertThat(c.refusal().message()).doesNotContain("kw_secret");
    }
}
