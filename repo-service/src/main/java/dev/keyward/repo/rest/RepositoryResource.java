package dev.keyward.repo.rest;

import dev.keyward.contract.ApiError;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.repo.content.CommitRequest;
import dev.keyward.repo.content.ContentInput;
import dev.keyward.repo.content.ContentJson;
import dev.keyward.repo.content.ContentService;
import dev.keyward.repo.content.ContentTypes;
import dev.keyward.repo.content.MergeRequest;
import dev.keyward.repo.content.RepositoryBrowser;
import dev.keyward.repo.content.RepositoryWriter;
import dev.keyward.repo.content.Rev;
import dev.keyward.repo.service.RepositoryService;
import dev.keyward.verification.Access;
import dev.keyward.verification.quarkus.CurrentPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The repository API: management ({@code POST}, {@code GET}, {@code DELETE /v1/repos…}) and content
 * (history, files, diffs, commits and merges without a clone). Ids may hold '/': the management
 * calls take the rest of the path as the id; a content path ends its id at the first later segment
 * that names a content sub-resource ({@link RepositoryService#SUB_RESOURCES}, which new ids may not
 * hold). Also served at {@code /api/v1/repos} ({@link SdkPathResource}).
 * <p>
 * Content calls are authorized like git: {@code git:read} to browse and diff, {@code git:write} to
 * commit and merge, with the operation named in the {@code token:used} event.
 */
@Tag(name = "Repositories", description = "Create, list, read and delete the org's repositories")
@Path("/v1/repos")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RepositoryResource {

    /** The operations the content calls record in {@code token:used} (seed 003's "read" and "write"). */
    static final String BROWSE = "browse";
    static final String DIFF = "diff";
    static final String COMMIT = "commit";
    static final String MERGE = "merge";
    static final int COMMITS_DEFAULT_PAGE_SIZE = 30;
    static final int COMMITS_MAX_PAGE_SIZE = 100;
    /**
     * An id in a content path: a segment after its first that names a sub-resource ends it. RESTEasy
     * compiles it together with the rest of the template and looks for it with {@code find} from the
     * id's position, so a template that does not match would be tried again from every later
     * character: {@code \G} pins it to that position and the possessive quantifiers never backtrack
     * into the id (whose own look-ahead already stops before the sub-resource). Routing a plain
     * {@code GET /v1/repos/team/hello} past the content templates: 6.2 µs → 0.8 µs ({@code repo-service/bench/routing.sh}).
     */
    private static final String ID = "\\G[^/]++(?:/(?!(?:" + RepositoryService.SUB_RESOURCES + ")(?:/|$))[^/]++)*+";
    private static final String DIFF_TYPE = "text/x-diff";
    private static final String CONTENT_TAG = "Repository content";

    private final CurrentPrincipal caller;
    private final RepositoryService repositories;
    private final ContentService content;

    public RepositoryResource(CurrentPrincipal caller, RepositoryService repositories, ContentService content) {
        this.caller = caller;
        this.repositories = repositories;
        this.content = content;
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

    // ---- content: read (git:read) ----

    @GET
    @Path("{id: " + ID + "}/commits")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "History, newest first", description = "Commits reachable from ref (default: HEAD), only those"
            + " changing path when given; page_size 1-100 (default 30). Needs git:read.")
    public Uni<ContentJson.CommitPage> commits(@PathParam("id") String id, @QueryParam("ref") String ref,
                                               @QueryParam("path") String path, @QueryParam("page_size") String pageSize,
                                               @QueryParam("page_token") String pageToken) {
        return read(id, BROWSE, () -> {
            Rev rev = ContentInput.optionalRev(ref, "ref");
            String filter = ContentInput.optionalPath(path, "path");
            int size = commitsPageSize(pageSize);
            RepositoryBrowser.PageToken from = RepositoryBrowser.PageToken.decode(pageToken);
            return browser -> browser.commits(rev, filter, size, from);
        });
    }

    @GET
    @Path("{id: " + ID + "}/commits/{sha: .+}")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "One commit and the files it changed", description = "sha: a commit id, branch or tag."
            + " Files and line counts against the first parent, as git show --stat. Needs git:read.")
    public Uni<ContentJson.Commit> commit(@PathParam("id") String id, @PathParam("sha") String sha) {
        return read(id, BROWSE, () -> {
            Rev rev = ContentInput.rev(sha, "sha");
            return browser -> browser.commit(rev);
        });
    }

    @GET
    @Path("{id: " + ID + "}/tree/{ref: .+}")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "A directory", description = "The entries of path (default: the root) at ref, as git ls-tree. Needs git:read.")
    public Uni<ContentJson.Tree> tree(@PathParam("id") String id, @PathParam("ref") String ref, @QueryParam("path") String path) {
        return read(id, BROWSE, () -> {
            Rev rev = ContentInput.rev(ref, "ref");
            String dir = ContentInput.optionalPath(path, "path");
            return browser -> browser.tree(rev, dir);
        });
    }

    @GET
    @Path("{id: " + ID + "}/blob/{ref: .+}")
    @Produces(MediaType.WILDCARD)
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "A file's raw bytes", description = "The file at path and ref, typed by its name; one Range:"
            + " bytes= range gives 206 (416 when it starts past the end); over keyward.repos.content.max-blob-bytes, 413."
            + " Needs git:read.")
    public Uni<Response> blob(@PathParam("id") String id, @PathParam("ref") String ref, @QueryParam("path") String path,
                              @HeaderParam("Range") String range) {
        return this.<RepositoryBrowser.Blob>read(id, BROWSE, () -> {
            Rev rev = ContentInput.rev(ref, "ref");
            String file = ContentInput.requiredPath(path, "path");
            return browser -> browser.blob(rev, file, range);
        }).map(blob -> blobResponse(blob, path));
    }

    @GET
    @Path("{id: " + ID + "}/compare/{range: .+}")
    @Produces({MediaType.APPLICATION_JSON, DIFF_TYPE})
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "What head changed since it left base (base...head)", description = "git diff base...head: from"
            + " their merge base to head. JSON with per-file hunks; the unified diff with Accept: text/x-diff or"
            + " format=diff. Needs git:read.")
    public Uni<Response> compare(@PathParam("id") String id, @PathParam("range") String range,
                                 @QueryParam("format") String format, @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        return this.<RepositoryBrowser.Diff>read(id, DIFF, () -> {
            int dots = range.indexOf("...");
            if (dots < 0) {
                throw ApiException.badRequest("invalid_ref", "compare takes base...head (three dots)");
            }
            Rev base = ContentInput.rev(range.substring(0, dots), "base");
            Rev head = ContentInput.rev(range.substring(dots + 3), "head");
            boolean unified = unifiedDiff(format, accept);
            return browser -> browser.compare(base, head, unified);
        }).map(diff -> diff.unified() != null
                ? Response.ok(diff.unified(), DIFF_TYPE).build()
                : Response.ok(diff.json(), MediaType.APPLICATION_JSON_TYPE).build());
    }

    @GET
    @Path("{id: " + ID + "}/refs")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "Branches and tags", description = "Needs git:read.")
    public Uni<ContentJson.Refs> refs(@PathParam("id") String id) {
        return read(id, BROWSE, () -> RepositoryBrowser::refs);
    }

    // ---- content: write (git:write) ----

    @POST
    @Path("{id: " + ID + "}/commits")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "Commit file changes to a branch", description = "parent_sha must be the branch's tip (409"
            + " stale_parent otherwise; absent for a new branch). Push protection applies (422 secret_detected). Needs git:write.")
    public Uni<Response> createCommit(@PathParam("id") String id, CommitRequest body) {
        return write(id, COMMIT, () -> {
            RepositoryWriter.CommitPlan plan = RepositoryWriter.plan(body);
            return (writer, committer) -> writer.commit(plan, committer);
        }).map(commit -> created(id, commit));
    }

    @POST
    @Path("{id: " + ID + "}/merges")
    @Tag(name = CONTENT_TAG)
    @Operation(summary = "Merge head into branch base", description = "Always a merge commit; 409 merge_conflict with"
            + " the conflicting paths and no ref moved. Push protection applies. Needs git:write.")
    public Uni<Response> merge(@PathParam("id") String id, MergeRequest body) {
        return write(id, MERGE, () -> {
            RepositoryWriter.MergePlan plan = RepositoryWriter.plan(body);
            return (writer, committer) -> writer.merge(plan, committer);
        }).map(commit -> created(id, commit));
    }

    /**
     * Authenticates, checks the parameters ({@code request} throws 400s), then decides {@code git:read}
     * on the repository for {@code operation} and runs the work it returned.
     */
    private <T> Uni<T> read(String id, String operation, Supplier<ContentService.Work<RepositoryBrowser, T>> request) {
        return caller.authenticate().chain(ignored -> {
            String repo = RepositoryService.checkId(id);
            ContentService.Work<RepositoryBrowser, T> work = request.get();
            return caller.require(new Access(null, Permission.GIT_READ, repo, operation))
                    .chain(p -> content.read(p.org(), repo, work));
        });
    }

    /** As {@link #read}, with {@code git:write}. */
    private <T> Uni<T> write(String id, String operation, Supplier<ContentService.WriteWork<T>> request) {
        return caller.authenticate().chain(ignored -> {
            String repo = RepositoryService.checkId(id);
            ContentService.WriteWork<T> work = request.get();
            return caller.require(new Access(null, Permission.GIT_WRITE, repo, operation))
                    .chain(p -> content.write(p, repo, work));
        });
    }

    private static int commitsPageSize(String value) {
        Integer size = ListParameters.pageSize(value);
        if (size == null) {
            return COMMITS_DEFAULT_PAGE_SIZE;
        }
        if (size < 1 || size > COMMITS_MAX_PAGE_SIZE) {
            throw ApiException.badRequest("invalid_page_size", "page_size must be between 1 and " + COMMITS_MAX_PAGE_SIZE);
        }
        return size;
    }

    /** {@code format=diff|json} wins; without it, an Accept naming text/x-diff asks for the unified diff. */
    private static boolean unifiedDiff(String format, String accept) {
        if (format != null) {
            return switch (format) {
                case "diff" -> true;
                case "json" -> false;
                default -> throw ApiException.badRequest("invalid_format", "format must be diff or json");
            };
        }
        return accept != null && accept.contains(DIFF_TYPE);
    }

    /**
     * A file's bytes, typed by its name. nosniff and a sandboxing CSP keep a browser from running
     * what a repository holds (an HTML or SVG file) in this service's origin.
     */
    private static Response blobResponse(RepositoryBrowser.Blob blob, String path) {
        Response.ResponseBuilder r;
        if (!blob.range().satisfiable()) {
            r = Response.status(416).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new ApiError("range_not_satisfiable", "the file is " + blob.size() + " bytes long"))
                    .header("Content-Range", "bytes */" + blob.size());
        } else {
            r = Response.status(blob.range().partial() ? 206 : 200).type(ContentTypes.of(path)).entity(blob.bytes());
            if (blob.range().partial()) {
                r.header("Content-Range", "bytes " + blob.range().start() + "-" + blob.range().end() + "/" + blob.size());
            }
        }
        return r.header("Accept-Ranges", "bytes")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .build();
    }

    private static Response created(String id, ContentJson.Commit commit) {
        return Response.created(URI.create("/v1/repos/" + id + "/commits/" + commit.sha())).entity(commit).build();
    }
}
