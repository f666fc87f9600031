package dev.keyward.repo.git;

import dev.keyward.repo.service.RepositoryStorage;
import dev.keyward.verification.Access;
import dev.keyward.verification.ExpiryNotice;
import dev.keyward.verification.OrgRulesCache;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
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
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.transport.PreUploadHook;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;
import org.eclipse.jgit.util.FS;

/**
 * Git smart HTTP ({@code /{org}/{repo id}.git/...}) on JGit's {@link GitServlet}. Every request is
 * authorized before JGit sees it: the URL's org must be the token's, and the token must hold
 * {@code git:read} (fetch, clone) or {@code git:write} (push) on the repository. A token expiring
 * soon gets a {@code Sunset} header and a {@code remote: warning: …} line in git's output (sent on
 * the progress side band: always on push, on clone/fetch when git shows progress).
 */
@WebServlet(name = "git", urlPatterns = "/*")
public class GitSmartHttpServlet extends GitServlet {

    private static final String ACCESS = GitSmartHttpServlet.class.getName() + ".request";
    private static final String PRINCIPAL = GitSmartHttpServlet.class.getName() + ".principal";
    private static final String NOTICE = GitSmartHttpServlet.class.getName() + ".notice";

    private transient RequestAuthorizer authorizer;
    private transient RepositoryStorage storage;
    private transient OrgRulesCache orgs;

    @Override
    public void init(ServletConfig config) throws ServletException {
        // Servlets are created by the servlet container, not by CDI: look the beans up once here.
        authorizer = CDI.current().select(RequestAuthorizer.class).get();
        storage = CDI.current().select(RepositoryStorage.class).get();
        orgs = CDI.current().select(TokenVerifier.class).get().orgs();
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
            VerifiedPrincipal pusher = (VerifiedPrincipal) req.getAttribute(PRINCIPAL);
            rp.setRefLogIdent(new PersonIdent(pusher.tokenId(), pusher.org() + "@keyward"));
            noticeOf(req).ifPresent(notice -> rp.setPreReceiveHook((pack, commands) -> pack.sendMessage(notice.warning())));
            return rp;
        });
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
        RequestAuthorizer.Decision decision;
        try {
            decision = authorizer.authorize(
                    PresentedCredential.extract(req.getHeader("Authorization"), req.getHeader("x-api-key")),
                    req.getRemoteAddr(), Access.repoOf(git.org(), git.permission(), git.repoId()))
                    .toCompletableFuture().join();
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
        req.setAttribute(PRINCIPAL, decision.principal());
        ExpiryNotice.forCaller(decision.principal(), orgs, Instant.now()).ifPresent(soon -> {
            res.setHeader(ExpiryNotice.SUNSET, soon.sunsetHeader());
            req.setAttribute(NOTICE, soon);
        });
        super.service(req, res);
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
        if (userAgent != null && userAgent.startsWith("git/")) {
            res.setContentType("text/plain; charset=utf-8");
            res.getOutputStream().write(("keyward: " + message + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        res.setContentType("application/json");
        res.getOutputStream().write(((String) response.getEntity()).getBytes(StandardCharsets.UTF_8));
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
