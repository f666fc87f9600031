package dev.keyward.repo.git;

import dev.keyward.contract.Permission;
import dev.keyward.repo.service.RepositoryStorage;
import dev.keyward.verification.Access;
import dev.keyward.verification.ExpiryNotice;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.TokenServiceClient;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.UseEvents;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import dev.keyward.verification.quarkus.KeywardAuthException;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.PreUploadHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.util.FS;
import org.jboss.logging.Logger;

/**
 * Git smart HTTP ({@code /{org}/{repo id}.git/...}) on JGit's {@link GitServlet}. Every request is
 * authorized before JGit sees it: the URL's org must be the token's, and the token must hold
 * {@code git:read} (fetch, clone) or {@code git:write} (push) on the repository. A token expiring
 * soon gets a {@code Sunset} header and a {@code remote: warning: …} line in git's output (sent on
 * the progress side band: always on push, on clone/fetch when git shows progress).
 *
 * <p>Authorization also holds while the pack streams: a clone, fetch or push whose token is revoked
 * (or whose org is suspended) meanwhile is cut off, and a push cut off moves no ref
 * ({@link CredentialRecheck}).
 *
 * <p>A push's use is reported once it is over, never folded with others, with the refs it updated.
 */
@WebServlet(name = "git", urlPatterns = "/*")
public class GitSmartHttpServlet extends GitServlet {

    private static final String ACCESS = GitSmartHttpServlet.class.getName() + ".request";
    private static final String PRINCIPAL = GitSmartHttpServlet.class.getName() + ".principal";
    private static final String NOTICE = GitSmartHttpServlet.class.getName() + ".notice";
    private static final String RECHECK = GitSmartHttpServlet.class.getName() + ".recheck";
    private static final String UPDATED_REFS = GitSmartHttpServlet.class.getName() + ".updatedRefs";
    private static final Logger LOG = Logger.getLogger(GitSmartHttpServlet.class);
    /**
     * How often a streaming request's credential is decided again: with the revocation event's own
     * delay (a few hundred ms) the cut-off stays within the 1 s target. A check the verifier answers
     * from its cache costs a hash and a map lookup; one it does not (once per cache TTL, or after the
     * event evicted the key) costs one call to token-service, as a new request would.
     */
    private static final Duration RECHECK_INTERVAL = Duration.ofMillis(200);
    /** The push's last gate waits this long for a verdict (introspection itself times out sooner). */
    private static final Duration LAST_GATE_TIMEOUT = Duration.ofSeconds(5);

    private transient RequestAuthorizer authorizer;
    private transient RepositoryStorage storage;
    private transient OrgRulesCache orgs;
    private transient TokenVerifier verifier;
    private transient PushProtection pushProtection;

    @Override
    public void init(ServletConfig config) throws ServletException {
        // Servlets are created by the servlet container, not by CDI: look the beans up once here.
        authorizer = CDI.current().select(RequestAuthorizer.class).get();
        storage = CDI.current().select(RepositoryStorage.class).get();
        verifier = CDI.current().select(TokenVerifier.class).get();
        orgs = verifier.orgs();
        pushProtection = CDI.current().select(PushProtection.class).get();
        setRepositoryResolver(this::open);
        setUploadPackFactory((req, db) -> {
            UploadPack up = new UploadPack(db);
            noticeOf(req).ifPresent(notice -> up.setPreUploadHook(new WarningHook(notice.warning())));
            return up;
        });
        setReceivePackFactory((req, db) -> {
            ReceivePack rp = new ReceivePack(db);
            // Authorization already happened (JGit's default factory would refuse us as anonymous);
            // the reflog names the token that pushed.
            rp.setRefLogIdent(KeywardIdent.of((VerifiedPrincipal) req.getAttribute(PRINCIPAL)));
            Optional<ExpiryNotice> notice = noticeOf(req);
            Optional<CredentialRecheck> recheck = recheckOf(req);
            GitRequest git = (GitRequest) req.getAttribute(ACCESS);
            rp.setPreReceiveHook((pack, commands) -> {
                notice.ifPresent(soon -> pack.sendMessage(soon.warning()));
                // JGit reads and indexes the whole pack before this hook: it is the last gate before a
                // ref moves, so it waits for a fresh verdict instead of the stream's latest one.
                recheck.flatMap(check -> check.decideNow(LAST_GATE_TIMEOUT)).ifPresent(refused -> commands.forEach(command ->
                        command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, "keyward: " + refused.message())));
                pushProtection.check(pack, commands, git.org(), git.repoId());
            });
            // JGit hands this hook the commands that moved their ref: what the push's event reports.
            rp.setPostReceiveHook((pack, commands) -> req.setAttribute(UPDATED_REFS, commands.stream()
                    .map(c -> new UseEvents.RefUpdate(c.getRefName(), c.getOldId().name(), c.getNewId().name())).toList()));
            return rp;
        });
        GitServiceErrors errors = new GitServiceErrors(req -> recheckOf(req).flatMap(CredentialRecheck::refusal).isPresent());
        setUploadPackErrorHandler(errors);
        setReceivePackErrorHandler(errors);
        super.init(config);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws ServletException, IOException {
        Optional<GitRequest> parsed = GitRequest.parse(req.getPathInfo(), req.getParameter("service"));
        if (parsed.isEmpty()) {
            refuse(req, res, KeywardAuthException.errorResponse(404, "not_found", "no such repository URL"),
                    "no such repository URL");
            return;
        }
        GitRequest git = parsed.get();
        PresentedCredential credential = PresentedCredential.extract(req.getHeader("Authorization"), req.getHeader("x-api-key"));
        RequestAuthorizer.Decision decision;
        Access access = git.isPush() ? Access.pushTo(git.org(), git.repoId())
                : Access.repoOf(git.org(), git.permission(), git.repoId());
        try {
            decision = authorizer.authorize(credential, req.getRemoteAddr(), access).toCompletableFuture().join();
        } catch (CompletionException e) {
            refuse(req, res, KeywardAuthException.errorResponse(503, "unavailable", "cannot verify the token now"),
                    "cannot verify the token now");
            return;
        }
        if (!decision.allowed()) {
            refuse(req, res, KeywardAuthException.responseFor(decision.refusal()), decision.refusal().message());
            return;
        }
        req.setAttribute(ACCESS, git);
        VerifiedPrincipal principal = decision.principal();
        req.setAttribute(PRINCIPAL, principal);
        ExpiryNotice.forCaller(principal, orgs, Instant.now()).ifPresent(soon -> {
            res.setHeader(ExpiryNotice.SUNSET, soon.sunsetHeader());
            req.setAttribute(NOTICE, soon);
        });
        if (!git.streamsPack()) {
            super.service(req, res);
            return;
        }
        CredentialRecheck recheck = recheck(git, credential.token(), req.getRemoteAddr(), principal);
        req.setAttribute(RECHECK, recheck);
        if (git.permission() == Permission.GIT_WRITE) {
            // The upload is re-checked as it is read; what JGit would write after a refusal (its status
            // report) is held back, so the refusal below can still be the answer.
            try {
                super.service(RecheckedStreams.request(req, recheck::ensureAllowed),
                        RecheckedStreams.response(res, recheck::ensureNotRefused));
            } finally {
                @SuppressWarnings("unchecked")
                List<UseEvents.RefUpdate> updated = (List<UseEvents.RefUpdate>) req.getAttribute(UPDATED_REFS);
                authorizer.reportPush(principal, access, req.getRemoteAddr(), updated == null ? List.of() : updated,
                        recheck.refusal().orElse(null));
            }
        } else {
            super.service(req, RecheckedStreams.response(res, recheck::ensureAllowed));
        }
        Optional<Verification.Refused> refusal = recheck.refusal();
        if (refusal.isPresent() && !res.isCommitted()) {
            // A push cut off (or a clone cut off before its pack began): git gets what a new request
            // would get now. Sent at once: on return the container first reads the rest of the body,
            // which for a push is the rest of the upload; the error status makes git stop sending it
            // (a 200 would not). A pack already under way just ends short.
            res.reset();
            refuse(req, res, KeywardAuthException.responseFor(refusal.get()), refusal.get().message());
            res.flushBuffer();
        }
    }

    /**
     * Re-checks ask the verifier directly (the raw-token call), not the {@link RequestAuthorizer}:
     * they belong to a request already counted, so they spend no rate-limit budget and emit no event.
     * A token's scopes and org never change, so its verification is all that can.
     */
    private CredentialRecheck recheck(GitRequest git, String token, String clientIp, VerifiedPrincipal principal) {
        long start = System.nanoTime();
        return new CredentialRecheck(() -> verifier.verify(token, clientIp), RECHECK_INTERVAL, System::nanoTime,
                refused -> LOG.infof("git %s on %s/%s cut off after %d ms: %s (token %s, key %s)",
                        git.servicePath().substring(1), git.org(), git.repoId(),
                        Duration.ofNanos(System.nanoTime() - start).toMillis(), refused.reason().wireName(),
                        principal.tokenId(), principal.keyPrefix()));
    }

    private Repository open(HttpServletRequest req, String name) throws RepositoryNotFoundException {
        GitRequest git = (GitRequest) req.getAttribute(ACCESS);
        if (git == null) {
            throw new RepositoryNotFoundException(name);
        }
        Path dir = storage.pathOf(git.org(), git.repoId());
        if (!Files.isDirectory(dir)) {
            throw new RepositoryNotFoundException(git.repoId());
        }
        try {
            return RepositoryCache.FileKey.exact(dir.toFile(), FS.DETECTED).open(true);
        } catch (IOException e) {
            throw new RepositoryNotFoundException(git.repoId(), e);
        }
    }

    private static Optional<ExpiryNotice> noticeOf(HttpServletRequest req) {
        return Optional.ofNullable((ExpiryNotice) req.getAttribute(NOTICE));
    }

    private static Optional<CredentialRecheck> recheckOf(HttpServletRequest req) {
        return Optional.ofNullable((CredentialRecheck) req.getAttribute(RECHECK));
    }

    /**
     * Writes a refusal built by the verification adapter (JSON body, challenge header) to the servlet
     * response. The git CLI shows an error body only when it is plain text (as {@code remote: …}
     * lines), so git clients get the message as text instead of the JSON.
     */
    private static void refuse(HttpServletRequest req, HttpServletResponse res, Response response, String message)
            throws IOException {
        res.setStatus(response.getStatus());
        response.getStringHeaders().forEach((name, values) -> values.forEach(v -> res.addHeader(name, v)));
        String userAgent = req.getHeader("User-Agent");
        byte[] body;
        if (userAgent != null && userAgent.startsWith("git/")) {
            res.setContentType("text/plain; charset=utf-8");
            body = ("keyward: " + message + "\n").getBytes(StandardCharsets.UTF_8);
        } else {
            res.setContentType("application/json");
            body = ((String) response.getEntity()).getBytes(StandardCharsets.UTF_8);
        }
        res.setContentLength(body.length);
        res.getOutputStream().write(body);
    }

    /** Sends the expiry warning on the progress side band, just before the pack. */
    private record WarningHook(String warning) implements PreUploadHook {
        @Override
        public void onBeginNegotiateRound(UploadPack up, java.util.Collection<? extends org.eclipse.jgit.lib.ObjectId> wants, int cntOffered) {
        }

        @Override
        public void onEndNegotiateRound(UploadPack up, java.util.Collection<? extends org.eclipse.jgit.lib.ObjectId> wants,
                                        int cntCommon, int cntNotFound, boolean ready) {
        }

        @Override
        public void onSendPack(UploadPack up, java.util.Collection<? extends org.eclipse.jgit.lib.ObjectId> wants,
                               java.util.Collection<? extends org.eclipse.jgit.lib.ObjectId> haves) {
            up.sendMessage(warning);
        }
    }
}
