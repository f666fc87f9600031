package dev.keyward.repo.git;

import dev.keyward.contract.LeakReport;
import dev.keyward.verification.TokenServiceClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.jboss.logging.Logger;

/**
 * Push protection: the blobs a push adds are scanned for Keyward keys ({@link PushScanner}: the key
 * pattern, then the checksum); every candidate is one lookup at token-service
 * ({@code POST /internal/leaks}), which records {@code token:leaked} for a live key and revokes it
 * when the key's org says {@code block_and_revoke}. A push that adds a live key of any org is
 * refused whole: no ref moves. Revoked and expired keys and look-alikes do not block. When the
 * candidates cannot be checked (token-service down) the push is refused too: a leak must not slip
 * through an outage. git shows why, as {@code remote:} lines, naming file, line and key prefix only.
 */
final class PushProtection {

    private static final Logger LOG = Logger.getLogger(PushProtection.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(10);

    private final PushScanner scanner;
    private final TokenServiceClient tokenService;

    PushProtection(PushScanner scanner, TokenServiceClient tokenService) {
        this.scanner = scanner;
        this.tokenService = tokenService;
    }

    /** Scans the push; rejects every command and tells git why when it adds a live key. */
    void check(ReceivePack pack, Collection<ReceiveCommand> commands, String org, String repo) {
        if (commands.stream().noneMatch(c -> c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED)) {
            return; // refused already (e.g. the credential was revoked while the pack streamed)
        }
        PushScanner.Result scan;
        try {
            scan = scanner.scan(pack, commands);
        } catch (IOException e) {
            reject(commands, "keyward: the push could not be scanned for leaked keys; try again");
            LOG.warnf("push to %s/%s not scanned: %s", org, repo, e.toString());
            return;
        }
        for (PushScanner.Skipped skipped : scan.skipped()) {
            pack.sendMessage("keyward: not scanned for leaked keys: " + skipped.path() + " (" + skipped.reason() + ")");
        }
        if (scan.findings().isEmpty()) {
            return;
        }
        List<LeakReport.Finding> findings = scan.findings().stream()
                .map(f -> new LeakReport.Finding(f.key(), f.commit(), f.path(), f.line())).toList();
        LeakReport.Answer answer;
        try {
            answer = tokenService.reportLeaks(new LeakReport("push", org, repo, findings)).toCompletableFuture()
                    .get(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reject(commands, "keyward: the push holds what looks like Keyward keys and they could not be checked now; try again");
            return;
        } catch (Exception e) {
            LOG.warnf("push to %s/%s holds %d key candidates that could not be checked: %s", org, repo, findings.size(),
                    e.getClass().getSimpleName());
            reject(commands, "keyward: the push holds what looks like Keyward keys and they could not be checked now; try again");
            return;
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < findings.size() && i < answer.results().size(); i++) {
            LeakReport.Result result = answer.results().get(i);
            if (result.live()) {
                PushScanner.Finding f = scan.findings().get(i);
                lines.add("keyward:   " + f.path() + ":" + f.line() + " in commit " + abbreviate(f.commit()) + ": "
                        + result.keyPrefix() + "… " + (result.revoked() ? "(revoked now)" : "(still live: revoke it)"));
            }
        }
        if (lines.isEmpty()) {
            return; // only revoked, expired or unknown keys: nothing to protect
        }
        pack.sendMessage("keyward: push refused: it adds " + lines.size() + " live Keyward key" + (lines.size() == 1 ? "" : "s") + ":");
        lines.forEach(pack::sendMessage);
        pack.sendMessage("keyward: remove the key from every commit of the push (git rebase -i, or git filter-repo"
                + " --replace-text), create a new key if you need one, and push again");
        LOG.infof("push to %s/%s refused: %d live keys", org, repo, lines.size());
        reject(commands, "keyward: the push adds a live Keyward key");
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
