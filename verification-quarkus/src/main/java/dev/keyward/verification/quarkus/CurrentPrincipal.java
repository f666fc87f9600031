package dev.keyward.verification.quarkus;

import dev.keyward.contract.Permission;
import dev.keyward.verification.Access;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The caller of the current HTTP request, for REST resources. The token is verified once per
 * request, on first use; each {@code require…} decides one permission and emits
 * {@code token:used} / {@code auth:failed}. A refusal fails the {@link Uni} with a
 * {@link KeywardAuthException} (401 with a Basic challenge, 403, or 503, JSON {@code {error, message}}).
 *
 * <pre>{@code
 * @GET public Uni<List<Repo>> list(@Inject CurrentPrincipal caller) {
 *     return caller.require(Permission.ORG_READ).chain(p -> repos.listFor(p.org()));
 * }
 * }</pre>
 */
@RequestScoped
public class CurrentPrincipal {

    private final HttpServerRequest request;
    private final TokenVerifier verifier;
    private final RequestAuthorizer authorizer;
    private final ForwardedAddressGuard addresses;
    private CompletionStage<Verification> verification;
    private String clientIp;
    private boolean clientIpKnown;
    // What the response may tell the caller about its token (ExpiryNoticeFilter): set once the
    // credential verified, and kept only while no decision of this request refused it.
    private volatile VerifiedPrincipal authorized;
    private volatile boolean denied;

    public CurrentPrincipal(HttpServerRequest request, TokenVerifier verifier, RequestAuthorizer authorizer,
                            ForwardedAddressGuard addresses) {
        this.request = request;
        this.verifier = verifier;
        this.authorizer = authorizer;
        this.addresses = addresses;
    }

    /** Requires an org-level permission ({@code org:read}, {@code token:write}, {@code audit:read}, ...) in the caller's org. */
    public Uni<VerifiedPrincipal> require(Permission permission) {
        return decide(Access.org(permission));
    }

    /** Requires a permission on one repository of the caller's org ({@code repo:write} also via the {@code org} scope). */
    public Uni<VerifiedPrincipal> requireRepo(Permission permission, String repoId) {
        return decide(Access.repo(permission, repoId));
    }

    /** Requires any {@link Access}, e.g. one naming the org of the resource. */
    public Uni<VerifiedPrincipal> require(Access access) {
        return decide(access);
    }

    /** Only verifies the credential (no permission, no event on success; {@code auth:failed} on a refused one). */
    public Uni<VerifiedPrincipal> authenticate() {
        String ip = clientIp();
        return onCallerContext(verification()).map(v -> {
            if (v instanceof Verification.Verified ok) {
                authorized = ok.principal();
                return ok.principal();
            }
            Verification.Refused refused = (Verification.Refused) v;
            authorizer.reportRefused(refused, ip, null);
            throw new KeywardAuthException(refused);
        });
    }

    /**
     * The caller this request verified and no decision of it refused; empty when the request never
     * asked (no credential was looked at), or its credential or a permission was refused.
     */
    public Optional<VerifiedPrincipal> authorized() {
        return denied ? Optional.empty() : Optional.ofNullable(authorized);
    }

    /**
     * The caller's address as the server sees it (honours forwarded headers when Quarkus is told to);
     * worked out once per request, since each call goes through the request proxy.
     */
    public String clientIp() {
        if (!clientIpKnown) {
            clientIp = addresses.clientIp(request);
            clientIpKnown = true;
        }
        return clientIp;
    }

    private Uni<VerifiedPrincipal> decide(Access access) {
        String ip = clientIp();
        return onCallerContext(verification()).map(v -> {
            RequestAuthorizer.Decision d = authorizer.decide(v, ip, access);
            if (!d.allowed()) {
                denied = true;
                throw new KeywardAuthException(d.refusal());
            }
            authorized = d.principal();
            return d.principal();
        });
    }

    /**
     * Introspection completes on an HTTP client thread; the rest of the pipeline (Hibernate Reactive
     * above all) must continue on the request's Vert.x context.
     */
    private static Uni<Verification> onCallerContext(CompletionStage<Verification> stage) {
        Uni<Verification> uni = Uni.createFrom().completionStage(stage);
        Context context = Vertx.currentContext();
        if (context == null || stage.toCompletableFuture().isDone()) {
            return uni;
        }
        return uni.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private synchronized CompletionStage<Verification> verification() {
        if (verification == null) {
            PresentedCredential credential = PresentedCredential.extract(request.getHeader("Authorization"), request.getHeader("x-api-key"));
            verification = verifier.verify(credential, clientIp());
        }
        return verification;
    }
}
