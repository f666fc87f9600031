package dev.keyward.repo.git;

import dev.keyward.contract.LeakReport;
import dev.keyward.verification.TokenServiceClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Push protection: the blobs a push adds are scanned for Keyward keys ({@link PushScanner}: the key
 * pattern, then the checksum); every candidate is one lookup at token-service
 * ({@code POST /internal/leaks}), which records {@code token:leaked} for a live key and revokes it
 * when the key's org says {@code block_and_revoke}. A push that adds a live key of any org is
 * refused whole: no ref moves. Revoked and expired keys and look-alikes do not block. When the
 * candidates cannot be checked (token-service down) the push is refused too: a leak must not slip
 * through an outage. git shows why, as {@code remote:} lines, naming file, line and key prefix only.
 * <p>
 * The same check guards commits and merges made through the content API ({@link #inspect}): they
 * are pushes without a client, and must not be a way around it.
 * {@code keyward.repos.push-protection.enabled=false} turns both off (the benchmark compares).
 */
@ApplicationScoped
public class PushProtection {

    private static final Logger LOG = Logger.getLogger(PushProtection.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    /** A live key that refuses the push; {@code revoked} when this push's report revoked it. */
    public record LiveKey(String commit, String path, int line, String keyPrefix, boolean revoked) {
    }

    /**
     * What the check decided: {@code unchecked} names why the push could not be checked (and is
     * refused for it); else {@code live} lists the keys that refuse it (none: it may pass).
     */
    public record Verdict(List<LiveKey> live, List<PushScanner.Skipped> skipped, String unchecked) {

        static final Verdict CLEAN = new Verdict(List.of(), List.of(), null);

        public boolean refused() {
            return unchecked != null || !live.isEmpty();
        }
    }

    private final PushScanner scanner;
    private final TokenServiceClient tokenService;
    private final boolean enabled;

    @Inject
    public PushProtection(TokenServiceClient tokenService,
                          @ConfigProperty(name = "keyward.repos.push-protection.enabled", defaultValue = "true") boolean enabled) {
        this(new PushScanner(PushScanner.Budgets.DEFAULT), tokenService, enabled);
    }

    PushProtection(PushScanner scanner, TokenServiceClient tokenService, boolean enabled) {
        this.scanner = scanner;
        this.tokenService = tokenService;
        this.enabled = enabled;
    }

    /** Scans the push; rejects every command and tells git why when it adds a live key. */
    void check(ReceivePack pack, Collection<ReceiveCommand> commands, String org, String repo) {
        if (commands.stream().noneMatch(c -> c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED)) {
            return; // refused already (e.g. the credential was revoked while the pack streamed)
        }
        Verdict verdict = inspect(pack.getRepository(), commands, org, repo);
        for (PushScanner.Skipped skipped : verdict.skipped()) {
            pack.sendMessage("keyward: not scanned for leaked keys: " + skipped.path() + " (" + skipped.reason() + ")");
        }
        if (verdict.unchecked() != null) {
            reject(commands, "keyward: " + verdict.unchecked());
            return;
        }
        if (verdict.live().isEmpty()) {
            return;
        }
        List<LiveKey> live = verdict.live();
        pack.sendMessage("keyward: push refused: it adds " + live.size() + " live Keyward key" + (live.size() == 1 ? "" : "s") + ":");
        for (LiveKey key : live) {
            pack.sendMessage("keyward:   " + key.path() + ":" + key.line() + " in commit " + abbreviate(key.commit()) + ": "
                    + key.keyPrefix() + "… " + (key.revoked() ? "(revoked now)" : "(still live: revoke it)"));
        }
        pack.sendMessage("keyward: remove the key from every commit of the push (git rebase -i, or git filter-repo"
                + " --replace-text), create a new key if you need one, and push again");
        reject(commands, "keyward: the push adds a live Keyward key");
    }

    /**
     * Decides whether the ref updates {@code commands} may land in {@code repository}, whose objects
     * are in and whose refs have not moved yet. Blocking (one call to token-service when the scan
     * finds candidates): call it from a worker thread.
     */
    public Verdict inspect(Repository repository, Collection<ReceiveCommand> commands, String org, String repo) {
        if (!enabled) {
            return Verdict.CLEAN;
        }
        PushScanner.Result scan;
        try {
            scan = scanner.scan(repository, commands);
        } catch (IOException e) {
            LOG.warnf("push to %s/%s not scanned: %s", org, repo, e.toString());
            return new Verdict(List.of(), List.of(), "the push could not be scanned for leaked keys; try again");
        }
        if (scan.findings().isEmpty()) {
            return new Verdict(List.of(), scan.skipped(), null);
        }
        List<LeakReport.Finding> findings = scan.findings().stream()
                .map(f -> new LeakReport.Finding(f.key(), f.commit(), f.path(), f.line())).toList();
        LeakReport.Answer answer;
        try {
            answer = tokenService.reportLeaks(new LeakReport("push", org, repo, findings)).toCompletableFuture()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return uncheckable(scan);
        } catch (Exception e) {
            LOG.warnf("push to %s/%s holds %d key candidates that could not be checked: %s", org, repo, findings.size(),
                    e.getClass().getSimpleName());
            return uncheckable(scan);
        }
        List<LiveKey> live = new ArrayList<>();
        for (int i = 0; i < findings.size() && i < answer.results().size(); i++) {
            LeakReport.Result result = answer.results().get(i);
            if (result.live()) {
                PushScanner.Finding f = scan.findings().get(i);
                live.add(new LiveKey(f.commit(), f.path(), f.line(), result.keyPrefix(), result.revoked()));
            }
        }
        if (!live.isEmpty()) {
            LOG.infof("push to %s/%s refused: %d live keys", org, repo, live.size());
        }
        // only revoked, expired or unknown keys: nothing to protect
        return new Verdict(List.copyOf(live), scan.skipped(), null);
    }

    private static Verdict uncheckable(PushScanner.Result scan) {
        return new Verdict(List.of(), scan.skipped(),
                "the push holds what looks like Keyward keys and they could not be checked now; try again");
    }

    private static void reject(Collection<ReceiveCommand> commands, String why) {
        for (ReceiveCommand command : commands) {
            if (command.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, why);
            }
        }
    }

    private static String abbreviate(String commit) {
        return commit == null || commit.length() < 12 ? String.valueOf(commit) : commit.substring(0, 12);
    }
}
