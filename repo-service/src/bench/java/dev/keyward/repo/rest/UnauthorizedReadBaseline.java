package dev.keyward.repo.rest;

import dev.keyward.repo.service.RepositoryService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * BENCHMARK BUILD ONLY ({@code -Pbench}, output in {@code target/bench/}; never in the production
 * build): {@code GET /v1/repos/{id}} minus authorization, so {@code ./keyward bench} can measure
 * what verification costs against the same read in the same process.
 */
@Path("/v1/benchmark-baseline/repos")
@Produces(MediaType.APPLICATION_JSON)
public class UnauthorizedReadBaseline {

    private final RepositoryService repositories;

    public UnauthorizedReadBaseline(RepositoryService repositories) {
        this.repositories = repositories;
    }

    @GET
    @Path("{org}/{id: .+}")
    public Uni<RepositoryJson> get(@PathParam("org") String org, @PathParam("id") String id) {
        return repositories.get(org, RepositoryService.checkId(id)).map(RepositoryJson::of);
    }
}
