package dev.keyward.repo.git;

import dev.keyward.contract.RefusalReason;
import dev.keyward.verification.Verification;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Decides again, while a git request streams, whether its credential still passes: a clone, fetch
 * or push authorized at its start must end when its token is revoked or its org suspended
 * (SPEC: within 1 s). The pack streams call {@link #ensureAllowed} on their own reads and writes
 * (no thread per request); a push asks {@link #decideNow} once more before any ref moves.
 *
 * <p>Each re-check is one call of the shared verifier, which answers from its cache while the entry
 * lives: a revocation event evicts the entry (the next check re-introspects and hears "revoked"), a
 * suspension is applied to cached results too, and the cache TTL bounds a late event. Re-checks are
 * started at most every {@code interval} and never waited for on the stream: the verdict is read on
 * a later read or write. Not thread-safe: one request's streams and hooks run on its one thread.
 */
final class CredentialRecheck {

    /** A refused re-check, as the stream's failure: JGit then fails the request. Holds no secret. */
    static final class CutOffException extends IOException {
        CutOffException(Verification.Refused refusal) {
            super("keyward: " + refusal.message());
        }
    }

    /** Called once, on the first refusal seen (to log it). */
    interface Listener {
        void cutOff(Verification.Refused refusal);
    }

    private final Supplier<CompletionStage<Verification>> verify;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Listener listener;
    private long lastStarted;
    private CompletableFuture<Verification> pending;
    private Verification.Refused refusal;

    /**
     * @param verify   one verification of the request's credential (the verifier's cache makes it cheap)
     * @param interval the least time between two re-checks; the first is due one interval after now,
     *                 as the request was authorized just before
     */
    CredentialRecheck(Supplier<CompletionStage<Verification>> verify, Duration interval, LongSupplier nanoTime,
                      Listener listener) {
        this.verify = verify;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.listener = listener;
        this.lastStarted = nanoTime.getAsLong();
    }

    /**
     * Throws once a re-check has refused the credential (and on every call after); starts a re-check
     * when the last one is an interval old. Never blocks. A verifier that cannot answer
     * ({@code unavailable}) does not end the stream: a token-service blip must not abort every
     * clone in flight; the push's last gate ({@link #decideNow}) does refuse then.
     */
    void ensureAllowed() throws CutOffException {
        ensureNotRefused();
        if (pending == null) {
            long now = nanoTime.getAsLong();
            if (now - lastStarted < intervalNanos) {
                return;
            }
            lastStarted = now;
            pending = verify.get().toCompletableFuture();
        }
        if (!pending.isDone()) {
            return;
        }
        Verification verdict = pending.exceptionally(e -> null).join();
        pending = null;
        if (verdict instanceof Verification.Refused refused && refused.reason() != RefusalReason.UNAVAILABLE) {
            refuse(refused);
            throw new CutOffException(refused);
        }
    }

    /** Throws once a re-check has refused the credential; starts none (for what is written after the pack). */
    void ensureNotRefused() throws CutOffException {
        if (refusal != null) {
            throw new CutOffException(refusal);
        }
    }

    /**
     * A fresh verdict, waited for at most {@code timeout}: empty when the credential still passes,
     * else the refusal. The last gate before a push moves refs, so it fails closed: a verifier that
     * cannot answer refuses, as it would refuse a new push at this moment.
     */
    Optional<Verification.Refused> decideNow(Duration timeout) {
        if (refusal != null) {
            return Optional.of(refusal);
        }
        Verification verdict;
        try {
            verdict = verify.get().toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            verdict = Verification.refused(RefusalReason.UNAVAILABLE, "cannot verify the token now");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            verdict = Verification.refused(RefusalReason.UNAVAILABLE, "cannot verify the token now");
        }
        if (verdict instanceof Verification.Refused refused) {
            refuse(refused);
            return Optional.of(refused);
        }
        return Optional.empty();
    }

    /** The refusal that ended the request, if one did. */
    Optional<Verification.Refused> refusal() {
        return Optional.ofNullable(refusal);
    }

    private void refuse(Verification.Refused refused) {
        if (refusal == null) {
            refusal = refused;
            listener.cutOff(refused);
        }
    }
}
