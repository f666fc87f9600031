package dev.keyward.audit.rest;

import dev.keyward.audit.auth.AuditReaders;
import dev.keyward.audit.service.AuthHealth;
import dev.keyward.audit.service.AuthHealthReport;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Failed-authentication health of the caller's org ({@code audit:read}). Org-scoped like the rest of
 * the audit trail: failures name token prefixes and client IPs, which one org must not see of another.
 */
@Tag(name = "Auth health", description = "Failed authentications of the org by token prefix and client address")
@Path("/v1/auth/health")
public class AuthHealthResource {

    private final AuditReaders readers;
    private final AuthHealth health;

    public AuthHealthResource(AuditReaders readers, AuthHealth health) {
        this.readers = readers;
        this.health = health;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AuthHealthReport> health() {
        return readers.requireAuditRead().chain(health::evaluate);
    }
}
