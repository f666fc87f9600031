package dev.keyward.repo.rest;

import jakarta.ws.rs.Path;

/**
 * Seed 000's SDK calls {@code /api/v1/repos…}: the same resource answers there as at
 * {@code /v1/repos…} (a sub-resource, not a copy), so both paths share every rule, status and body.
 */
@Path("/api")
public class SdkPathResource {

    private final RepositoryResource repositories;

    public SdkPathResource(RepositoryResource repositories) {
        this.repositories = repositories;
    }

    @Path("v1/repos")
    public RepositoryResource repositories() {
        return repositories;
    }
}
