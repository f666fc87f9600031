package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keyward.cli.Context;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Times;
import dev.keyward.contract.RepoIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward repo ...}: the repository management API of repo-service. */
@Command(name = "repo", mixinStandardHelpOptions = true,
        description = "Create, list and delete repositories.",
        subcommands = {RepoCommand.Create.class, RepoCommand.ListRepos.class, RepoCommand.Delete.class})
public final class RepoCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a repository (needs repo:write); prints its id on standard output.")
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", arity = "0..1",
                description = "e.g. team/project-alpha; a UUID is generated when left out")
        String id;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            if (id != null) {
                body.put("id", checkedId(spec, id));
            }
            JsonNode repo = ctx.api().post(Service.REPO, "/v1/repos", body);
            if (ctx.jsonOutput()) {
                ctx.printJson(repo);
                return;
            }
            ctx.out().println(repo.path("id").asText());
            ctx.out().flush();
            ctx.note("Created repository " + repo.path("id").asText() + " (default branch "
                    + repo.path("default_branch").asText("main") + "); clone it from "
                    + ctx.settings().url(Service.REPO) + "/<org>/" + repo.path("id").asText() + ".git");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the org's repositories (needs org:read).")
    static final class ListRepos implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--prefix", description = "only ids starting with this, e.g. team/")
        String prefix;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            List<JsonNode> repos = new ArrayList<>();
            String pageToken = null;
            do {
                Map<String, String> q = ApiClient.query();
                q.put("prefix", prefix);
                q.put("page_size", "200");
                q.put("page_token", pageToken);
                JsonNode page = ctx.api().get(Service.REPO, "/v1/repos", q);
                page.path("repositories").forEach(repos::add);
                pageToken = TokenCommand.textOrNull(page.path("next_page_token"));
            } while (pageToken != null);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                repos.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            Table table = new Table("ID", "DEFAULT BRANCH", "CREATED");
            for (JsonNode r : repos) {
                table.row(r.path("id").asText(), TokenCommand.textOrNull(r.path("default_branch")),
                        Times.toSecond(TokenCommand.textOrNull(r.path("created_at"))));
            }
            table.print(ctx.out());
            ctx.note(repos.size() + (repos.size() == 1 ? " repository" : " repositories"));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a repository and all its history (needs repo:write). Cannot be undone.")
    static final class Delete implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation (required without a terminal)")
        boolean yes;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            String checked = checkedId(spec, id);
            Confirmation.byTypingId(spec, ctx, yes, "a repository", checked,
                    "Delete " + checked + " and all its history? Type its id to confirm: ");
            JsonNode r = ctx.api().delete(Service.REPO, "/v1/repos/" + checked);
            if (ctx.jsonOutput()) {
                ctx.printJson(r);
                return;
            }
            ctx.note("Deleted repository " + checked + ".");
        }
    }

    /** Repository ids go into the URL path as they are, so they are checked by the one set of id rules first. */
    static String checkedId(CommandSpec spec, String id) {
        RepoIds.problem(id).ifPresent(problem -> {
            throw new ParameterException(spec.commandLine(), "'" + id + "': " + problem);
        });
        return id;
    }
}
