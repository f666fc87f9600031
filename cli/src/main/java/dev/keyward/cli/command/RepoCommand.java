package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Times;
import dev.keyward.contract.RepoIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
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

/** {@code keyward repo ...}: the repository management and content APIs of repo-service. */
@Command(name = "repo", mixinStandardHelpOptions = true,
        description = "Create, list and delete repositories; read their history and files without a clone.",
        subcommands = {RepoCommand.Create.class, RepoCommand.ListRepos.class, RepoCommand.Delete.class,
                RepoCommand.Log.class, RepoCommand.Show.class, RepoCommand.Cat.class})
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
            ctx.print(table);
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

    @Command(name = "log", mixinStandardHelpOptions = true,
            description = "The history of a branch, tag or commit, newest first (needs git:read).")
    static final class Log implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--ref", description = "branch, tag or commit id (default: the default branch)")
        String ref;

        @Option(names = "--path", description = "only commits that change this file or directory")
        String path;

        @Option(names = "--limit", defaultValue = "30", description = "at most this many commits (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            String checked = checkedId(spec, id);
            if (limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
            }
            List<JsonNode> commits = new ArrayList<>();
            String pageToken = null;
            do {
                Map<String, String> q = ApiClient.query();
                q.put("ref", ref);
                q.put("path", path);
                q.put("page_size", Integer.toString(Math.min(100, limit - commits.size())));
                q.put("page_token", pageToken);
                JsonNode page = ctx.api().get(Service.REPO, "/v1/repos/" + checked + "/commits", q);
                for (JsonNode c : page.path("commits")) {
                    if (commits.size() < limit) {
                        commits.add(c);
                    }
                }
                pageToken = TokenCommand.textOrNull(page.path("next_page_token"));
            } while (pageToken != null && commits.size() < limit);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                commits.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            Table table = new Table("COMMIT", "DATE", "AUTHOR", "MESSAGE");
            for (JsonNode c : commits) {
                table.row(c.path("sha").asText().substring(0, 12), TokenCommand.textOrNull(c.path("author").path("date")),
                        c.path("author").path("name").asText(), subject(c));
            }
            ctx.print(table);
            ctx.note(commits.size() + (commits.size() == 1 ? " commit" : " commits")
                    + (pageToken != null ? " (more: raise --limit)" : ""));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One commit: who, when, its message and the files it changed (needs git:read).")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "SHA", description = "a commit id, branch or tag")
        String sha;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode c = ctx.api().get(Service.REPO, "/v1/repos/" + checkedId(spec, id) + "/commits/" + segments(spec, sha), null);
            if (ctx.jsonOutput()) {
                ctx.printJson(c);
                return;
            }
            PrintWriter out = ctx.out();
            out.println("commit " + c.path("sha").asText());
            List<String> parents = new ArrayList<>();
            c.path("parents").forEach(p -> parents.add(p.asText()));
            if (!parents.isEmpty()) {
                out.println((parents.size() == 1 ? "Parent:    " : "Merge:     ") + String.join(" ", parents));
            }
            out.println("Author:    " + person(c.path("author")));
            out.println("Committer: " + person(c.path("committer")));
            out.println();
            c.path("message").asText().stripTrailing().lines().forEach(line -> out.println("    " + line));
            out.println();
            Table files = new Table("STATUS", "PATH", "ADDED", "DELETED");
            for (JsonNode f : c.path("files")) {
                String name = f.has("old_path") ? f.path("old_path").asText() + " -> " + f.path("path").asText() : f.path("path").asText();
                boolean binary = f.path("binary").asBoolean();
                files.row(f.path("status").asText(), name, binary ? "binary" : "+" + f.path("additions").asInt(),
                        binary ? "" : "-" + f.path("deletions").asInt());
            }
            ctx.print(files);
            JsonNode stats = c.path("stats");
            out.println(stats.path("files").asInt() + " files changed, " + stats.path("additions").asInt() + " insertions(+), "
                    + stats.path("deletions").asInt() + " deletions(-)" + (c.path("truncated").asBoolean() ? " (list truncated)" : ""));
            out.flush();
        }

        private static String person(JsonNode p) {
            return p.path("name").asText() + " <" + p.path("email").asText() + ">  " + p.path("date").asText();
        }
    }

    @Command(name = "cat", mixinStandardHelpOptions = true,
            description = "A file's bytes at a branch, tag or commit, unchanged on standard output (needs git:read).")
    static final class Cat implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "REF", description = "branch, tag or commit id")
        String ref;

        @Parameters(index = "2", paramLabel = "PATH", description = "the file, e.g. src/main/App.java")
        String path;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, String> q = ApiClient.query();
            q.put("path", path);
            String call = "/v1/repos/" + checkedId(spec, id) + "/blob/" + segments(spec, ref);
            try (InputStream in = ctx.api().stream(Service.REPO, call, q, "*/*")) {
                OutputStream out = ctx.bytesOut();
                in.transferTo(out);
                out.flush();
            } catch (IOException e) {
                throw new CliException(ExitCode.UNREACHABLE, "the file stream broke off: " + e.getMessage(), "run it again", e);
            }
        }
    }

    /** A revision for the URL path: a branch name may hold '/', so each segment is encoded and the slashes kept. */
    static String segments(CommandSpec spec, String ref) {
        if (ref.isBlank()) {
            throw new ParameterException(spec.commandLine(), "name a branch, tag or commit id");
        }
        List<String> parts = new ArrayList<>();
        for (String part : ref.split("/", -1)) {
            parts.add(ApiClient.encode(part));
        }
        return String.join("/", parts);
    }

    /** The first line of a commit's message. */
    static String subject(JsonNode commit) {
        String message = commit.path("message").asText();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Repository ids go into the URL path as they are, so they are checked by the one set of id rules first. */
    static String checkedId(CommandSpec spec, String id) {
        RepoIds.problem(id).ifPresent(problem -> {
            throw new ParameterException(spec.commandLine(), "'" + id + "': " + problem);
        });
        return id;
    }
}
