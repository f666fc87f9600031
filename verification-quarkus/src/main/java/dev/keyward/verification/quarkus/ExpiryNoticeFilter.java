package dev.keyward.verification.quarkus;

import dev.keyward.verification.ExpiryNotice;
import dev.keyward.verification.TokenVerifier;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;
import java.time.Clock;

/**
 * The {@code Sunset} header (RFC 8594) on every REST response to a caller whose API key expires
 * within its org's {@code notice_days}, in every service that verifies through
 * {@link CurrentPrincipal}: the request's verified caller, when the request looked at one and
 * nothing refused it. (git's responses get theirs, and a warning line, in repo-service's git servlet.)
 */
@Provider
public class ExpiryNoticeFilter implements ContainerResponseFilter {

    private final CurrentPrincipal caller;
    // Looked up on first use: REST providers are built at static init, before the verifier's runtime config exists.
    private final Instance<TokenVerifier> verifier;
    private final Clock clock = Clock.systemUTC();

    public ExpiryNoticeFilter(CurrentPrincipal caller, Instance<TokenVerifier> verifier) {
        this.caller = caller;
        this.verifier = verifier;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        caller.authorized()
                .flatMap(principal -> ExpiryNotice.forCaller(principal, verifier.get().orgs(), clock.instant()))
                .ifPresent(notice -> response.getHeaders().putSingle(ExpiryNotice.SUNSET, notice.sunsetHeader()));
    }
}
