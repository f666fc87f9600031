package dev.keyward.repo.git;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Predicate;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.errors.UnpackException;
import org.eclipse.jgit.http.server.GitSmartHttpTools;
import org.eclipse.jgit.http.server.ReceivePackErrorHandler;
import org.eclipse.jgit.http.server.ServletUtils;
import org.eclipse.jgit.http.server.UploadPackErrorHandler;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.resolver.ServiceNotEnabledException;
import org.jboss.logging.Logger;

/**
 * What a failed upload-pack (clone, fetch) or receive-pack (push) does: what JGit does without a
 * handler, except for a request cut off because its credential was refused while it streamed
 * ({@link CredentialRecheck}). That one is no internal error: it is already logged at INFO, and the
 * servlet answers it (see {@link GitSmartHttpServlet}), so JGit must neither log it with a stack
 * trace nor answer it with a 500.
 */
final class GitServiceErrors implements UploadPackErrorHandler, ReceivePackErrorHandler {

    private static final Logger LOG = Logger.getLogger(GitServiceErrors.class);

    private final Predicate<HttpServletRequest> cutOff;

    /** @param cutOff whether a request was cut off (its failure is then expected) */
    GitServiceErrors(Predicate<HttpServletRequest> cutOff) {
        this.cutOff = cutOff;
    }

    @Override
    public void upload(HttpServletRequest req, HttpServletResponse rsp, UploadPackRunnable r) throws IOException {
        try {
            r.upload();
        } catch (ServiceMayNotContinueException e) {
            if (!cutOff.test(req) && !e.isOutput() && !rsp.isCommitted()) {
                rsp.reset();
                GitSmartHttpTools.sendError(req, rsp, e.getStatusCode(), e.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            if (cutOff.test(req)) {
                return;
            }
            LOG.errorf(e, "git-upload-pack failed on %s", req.getPathInfo());
            if (!rsp.isCommitted()) {
                rsp.reset();
                GitSmartHttpTools.sendError(req, rsp, UploadPackErrorHandler.statusCodeForThrowable(e),
                        e instanceof PackProtocolException || e instanceof ServiceNotEnabledException ? e.getMessage() : null);
            }
        }
    }

    @Override
    public void receive(HttpServletRequest req, HttpServletResponse rsp, ReceivePackRunnable r) throws IOException {
        try {
            r.receive();
        } catch (IOException | RuntimeException e) {
            if (cutOff.test(req)) {
                return;
            }
            if (e instanceof CorruptObjectException || e instanceof UnpackException || e instanceof PackProtocolException) {
                // The client's pack or protocol was bad; git has its status report already.
                LOG.warnf(e instanceof CorruptObjectException ? null : e.getCause(), "git-receive-pack refused a pack on %s: %s",
                        req.getPathInfo(), e.getMessage());
                ServletUtils.consumeRequestBody(req);
                return;
            }
            LOG.errorf(e, "git-receive-pack failed on %s", req.getPathInfo());
            if (!rsp.isCommitted()) {
                rsp.reset();
                GitSmartHttpTools.sendError(req, rsp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
            }
        }
    }
}
