package dev.keyward.repo.rest;

import dev.keyward.contract.Permission;
import dev.keyward.repo.service.RepositoryService;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The repository management API. Ids may hold '/', so the id path parameter takes the rest of the path.
 * Also served at {@code /api/v1/repos} ({@link SdkPathResource}).
 */
@Path("/v1/repos")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RepositoryResource {

    private final CurrentPrincipal caller;
    private final RepositoryService repositories;

    public RepositoryResource(CurrentPrincipal caller, RepositoryService repositories) {
        this.caller = caller;
        this.repositories = repositories;
    }

    @POST
    public Uni<Response> create(CreateRepositoryRequest body) {
        return caller.authenticate()
                .chain(ignored -> {
                    String id = RepositoryService.idToCreate(body == null ? null : body.id());
                    return caller.requireRepo(Permission.REPO_WRITE, id)
                            .chain(p -> repositories.create(p.org(), id));
                })
                .map(info -> Response.status(Response.Status.CREATED).entity(RepositoryJson.of(info)).build());
    }

    @GET
    public Uni<RepositoryListJson> list(@QueryParam("prefix") String prefix, @QueryParam("page_size") String pageSize,
                                        @QueryParam("page_token") String pageToken) {
        return caller.require(Permission.ORG_READ)
                .chain(p -> repositories.list(p.org(), ListParameters.prefix(prefix), ListParameters.pageSize(pageSize), pageToken))
                .map(page -> new RepositoryListJson(page.repositories().stream().map(RepositoryJson::of).toList(),
                        page.nextPageToken()));
    }

    @GET
    @Path("{id: .+}")
    public Uni<RepositoryJson> get(@PathParam("id") String id) {
        return caller.authenticate()
                .chain(ignored -> caller.requireRepo(Permission.GIT_READ, RepositoryService.checkId(id)))
                .chain(p -> repositories.get(p.org(), id))
                .map(RepositoryJson::of);
    }

    @DELETE
    @Path("{id: .+}")
    public Uni<Map<String, Object>> delete(@PathParam("id") String id) {
        return caller.authenticate()
                .chain(ignored -> caller.requireRepo(Permission.REPO_WRITE, RepositoryService.checkId(id)))
                .chain(p -> repositories.delete(p.org(), id))
                .map(ignored -> Map.of("id", id, "deleted", true));
    }
}
