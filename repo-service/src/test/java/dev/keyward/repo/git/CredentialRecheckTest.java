package dev.keyward.repo.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import dev.keyward.verification.CredentialForm;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CredentialRecheckTest {

    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Verification OK = Verification.verified(new VerifiedPrincipal("acme", "u", "tok_1", TokenKind.REPO,
            Scopes.parse(Map.of("repos:*", List.of("git:write"))), null, "kw_prod_r_ab", List.of(), CredentialForm.API_KEY, null));
    private static final Verification.Refused REVOKED = Verification.refused(RefusalReason.REVOKED, "API key is revoked");

    private final AtomicLong now = new AtomicLong();
    /** The verdicts handed out, one per verification asked for. */
    private final List<CompletableFuture<Verification>> asked = new ArrayList<>();
    private final List<Verification.Refused> logged = new ArrayList<>();
    private final CredentialRecheck recheck = new CredentialRecheck(() -> {
        CompletableFuture<Verification> verdict = new CompletableFuture<>();
        asked.add(verdict);
        return verdict;
    }, INTERVAL, now::get, logged::add);

    @Test
    void asksTheVerifierAtMostOncePerIntervalAndNeverWaitsForIt() throws Exception {
        recheck.ensureAllowed();
        advance(199);
        recheck.ensureAllowed();
        assertThat(asked).as("authorized just before: nothing to ask yet").isEmpty();

        advance(1);
        recheck.ensureAllowed();
        assertThat(asked).hasSize(1);
        advance(150);
        recheck.ensureAllowed();
        assertThat(asked).as("one question at a time; the stream goes on meanwhile").hasSize(1);

        asked.get(0).complete(OK);
        recheck.ensureAllowed();
        advance(49);
        recheck.ensureAllowed();
        assertThat(asked).as("an interval after the last question began, not after its answer").hasSize(1);
        advance(1);
        recheck.ensureAllowed();
        assertThat(asked).hasSize(2);
    }

    @Test
    void aRefusalEndsTheStreamOnTheNextReadOrWriteAndForGood() throws Exception {
        advance(200);
        recheck.ensureAllowed();
        asked.get(0).complete(REVOKED);

        assertThatThrownBy(recheck::ensureAllowed).isInstanceOf(CredentialRecheck.CutOffException.class)
                .hasMessage("keyward: API key is revoked");
        assertThatThrownBy(recheck::ensureAllowed).isInstanceOf(CredentialRecheck.CutOffException.class);
        assertThatThrownBy(recheck::ensureNotRefused).isInstanceOf(CredentialRecheck.CutOffException.class);
        assertThat(recheck.refusal()).contains(REVOKED);
        assertThat(recheck.decideNow(Duration.ofSeconds(1))).contains(REVOKED);
        assertThat(asked).as("nothing more to ask").hasSize(1);
        assertThat(logged).as("logged once").containsExactly(REVOKED);
    }

    @Test
    void aVerifierThatCannotAnswerDoesNotEndTheStreamButStopsTheRefsFromMoving() throws Exception {
        advance(200);
        recheck.ensureAllowed();
        asked.get(0).complete(Verification.refused(RefusalReason.UNAVAILABLE, "token service is unavailable"));
        recheck.ensureAllowed();
        assertThat(recheck.refusal()).isEmpty();

        // The last gate asks again and gets no answer in time: no ref may move on that.
        assertThat(recheck.decideNow(Duration.ofMillis(50)))
                .hasValueSatisfying(refused -> assertThat(refused.reason()).isEqualTo(RefusalReason.UNAVAILABLE));
        assertThatThrownBy(recheck::ensureAllowed).isInstanceOf(CredentialRecheck.CutOffException.class);
    }

    @Test
    void theLastGateAsksAfreshEvenWithinTheInterval() {
        CredentialRecheck answered = new CredentialRecheck(() -> {
            CompletableFuture<Verification> verdict = CompletableFuture.completedFuture(OK);
            asked.add(verdict);
            return verdict;
        }, INTERVAL, now::get, logged::add);
        assertThat(answered.decideNow(Duration.ofSeconds(1))).isEmpty();
        assertThat(asked).hasSize(1);

        CredentialRecheck revoked = new CredentialRecheck(() -> CompletableFuture.completedFuture(REVOKED), INTERVAL, now::get,
                logged::add);
        assertThat(revoked.decideNow(Duration.ofSeconds(1))).contains(REVOKED);
        assertThatThrownBy(revoked::ensureNotRefused).isInstanceOf(CredentialRecheck.CutOffException.class);
        assertThat(logged).containsExactly(REVOKED);
    }

    @Test
    void whatIsWrittenAfterThePackStartsNoCheck() throws Exception {
        advance(10_000);
        recheck.ensureNotRefused();
        assertThat(asked).isEmpty();
    }

    private void advance(long millis) {
        now.addAndGet(Duration.ofMillis(millis).toNanos());
    }
}
