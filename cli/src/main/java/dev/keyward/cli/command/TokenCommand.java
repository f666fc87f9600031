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
import dev.keyward.cli.parse.Durations;
import dev.keyward.cli.parse.ScopeFlags;
import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward token ...}: the control-plane token API of token-service. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Create, list, show, revoke and rotate API tokens;",
                "exchange a CI job's or pod's OIDC token for a short-lived one."},
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Show.class,
                TokenCommand.Revoke.class, TokenCommand.Rotate.class, TokenExchangeCommand.class})
public final class TokenCommand extends GroupCommand {

    static final int PAGE_SIZE = 200;

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a token; its secret is printed once, alone, on standard output. Example:",
                    "  T=$(keyward token create --name ci --kind repo --scope 'repos:team/*=git:read,git:write' --expires-in 1d)"})
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "what it is for (1-100 characters)")
        String name;

        @Option(names = "--kind", defaultValue = "repo", completionCandidates = Kinds.class,
                description = "repo (git only, on repositories) or org (any permission); default ${DEFAULT-VALUE}")
        String kind;

        @Option(names = "--scope", paramLabel = "RESOURCE=PERMS",
                description = {"repeatable: repos:<id>|repos:<prefix>/*|repos:*|org = comma-separated permissions",
                        "  (git:read, git:write, repo:write, org:read, token:write, audit:read; read/write for git)"})
        List<String> scopes = new ArrayList<>();

        @Option(names = "--expires-in", paramLabel = "DURATION",
                description = "lifetime: 1h, 30d, 2w, seconds; 0 = never (if the org allows); default: the org's (90d)")
        String expiresIn;

        @Option(names = "--cidr", paramLabel = "CIDR", description = "repeatable: only usable from these networks, e.g. 10.0.0.0/8")
        List<String> cidrs = new ArrayList<>();

        @Option(names = "--env", paramLabel = "prod|dev", completionCandidates = Environments.class,
                description = "key environment: prod (the default, whoever creates it) or dev (a lower rate limit)")
        String environment;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("kind", checkedKind(spec, kind));
            try {
                body.put("scopes", ScopeFlags.toWire(scopes));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (expiresIn != null) {
                body.put("expires_in", seconds(spec, "--expires-in", expiresIn));
            }
            if (!cidrs.isEmpty()) {
                body.put("allowed_cidrs", cidrs);
            }
            if (environment != null) {
                if (!environment.equals("prod") && !environment.equals("dev")) {
                    throw new ParameterException(spec.commandLine(), "--env must be prod or dev");
                }
                body.put("environment", environment);
            }
            JsonNode created = ctx.api().post(Service.TOKEN, "/v1/tokens", body);
            if (ctx.jsonOutput()) {
                ctx.printJson(created);
                return;
            }
            ctx.out().println(created.path("token").asText());
            ctx.out().flush();
            ctx.note("Created " + created.path("id").asText() + " '" + created.path("name").asText() + "' ("
                    + created.path("kind").asText() + ", environment " + created.path("environment").asText("?") + ", "
                    + created.path("key_prefix").asText() + "…), " + expiry(ctx, created.path("expires_at")) + ".");
            ctx.note("The secret above is shown only this once: store it now.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the org's tokens (active ones unless --all).")
    static final class ListTokens implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--all", description = "include revoked and expired tokens")
        boolean all;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            List<JsonNode> tokens = listTokens(ctx, all);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                tokens.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            // What fits 100 columns beside a 28-character id: the prefix also says the kind and environment
            // (kw_prod_r_…), EXPIRES says revoked or expired; the rest is in token show and --json.
            Table table = new Table("ID", "NAME", "PREFIX", "SCOPES", "EXPIRES");
            for (JsonNode t : tokens) {
                String state = state(ctx, t);
                String expires = textOrNull(t.path("expires_at"));
                table.row(t.path("id").asText(), t.path("name").asText(), textOrNull(t.path("key_prefix")), scopes(t.path("scopes")),
                        !state.equals("active") ? state : expires == null ? "never" : Times.toSecond(expires).substring(0, 10));
            }
            ctx.print(table);
            ctx.note(tokens.size() + (tokens.size() == 1 ? " token" : " tokens") + (all ? "" : " (active; --all for every token)"));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one token's record (never its secret).")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TOKEN_ID", description = "tok_…")
        String id;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode t = ctx.api().get(Service.TOKEN, "/v1/tokens/" + ApiClient.encode(id), null);
            if (ctx.jsonOutput()) {
                ctx.printJson(t);
                return;
            }
            Table table = new Table("FIELD", "VALUE");
            table.row("id", t.path("id").asText());
            table.row("name", t.path("name").asText());
            table.row("kind", t.path("kind").asText());
            table.row("environment", textOrNull(t.path("environment")));
            table.row("key prefix", textOrNull(t.path("key_prefix")));
            table.row("scopes", scopes(t.path("scopes")));
            table.row("allowed cidrs", join(t.path("allowed_cidrs")));
            table.row("created", Times.human(textOrNull(t.path("created_at")), ctx.clock()));
            table.row("created by", createdBy(t.path("created_by")));
            table.row("expires", expiry(ctx, t.path("expires_at")));
            table.row("last used", Times.human(textOrNull(t.path("last_used_at")), ctx.clock()));
            table.row("revoked", Times.human(textOrNull(t.path("revoked_at")), ctx.clock()));
            table.row("state", state(ctx, t));
            ctx.print(table);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke tokens: every service refuses them within a second.",
                    "Name each by its id (tok_…) or by its key prefix (kw_…, as 'token list' shows it)."})
    static final class Revoke implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TOKEN", arity = "1..*", description = "tok_…, xtok_… (an exchanged token's jti) or a key prefix kw_… (one or more)")
        List<String> references;

        @Option(names = "--cascade", description = "also every token it minted, and what those minted, in one step")
        boolean cascade;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            // Every reference is resolved before anything is revoked: one that names no token, or
            // several, revokes none.
            List<JsonNode> active = references.stream().anyMatch(TokenCommand::isKeyPrefix) ? listTokens(ctx, false) : List.of();
            List<String> ids = references.stream().map(r -> isKeyPrefix(r) ? idOfPrefix(r, active) : r).toList();
            ArrayNode results = ctx.json().createArrayNode();
            Map<String, String> query = ApiClient.query();
            if (cascade) {
                query.put("cascade", "true");
            }
            for (String id : ids) {
                JsonNode r = ctx.api().delete(Service.TOKEN, "/v1/tokens/" + ApiClient.encode(id), query);
                results.add(r);
                ctx.note(cascade
                        ? "Revoked " + r.path("id").asText(id) + " and every token it minted: "
                        + r.path("revoked_count").asInt() + " revoked by this call."
                        : "Revoked " + r.path("id").asText(id) + ".");
            }
            if (ctx.jsonOutput()) {
                ctx.printJson(ids.size() == 1 ? results.get(0) : results);
            }
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Give a token a new secret, printed once on standard output.",
                    "The old secret keeps working for the grace period."})
    static final class Rotate implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "TOKEN_ID", arity = "0..1", description = "tok_… (or --self)")
        String id;

        @Option(names = "--self", description = "rotate the token in KEYWARD_TOKEN itself (needs no token:write)")
        boolean self;

        @Option(names = "--grace", paramLabel = "DURATION", description = "how long the old secret still works, e.g. 10m; default: the service's")
        String grace;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            if (self == (id != null)) {
                throw new ParameterException(spec.commandLine(), "name a TOKEN_ID or give --self (not both)");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            if (grace != null) {
                body.put("grace_seconds", seconds(spec, "--grace", grace));
            }
            String path = self ? "/v1/tokens/self/rotate" : "/v1/tokens/" + ApiClient.encode(id) + "/rotate";
            JsonNode rotated = ctx.api().post(Service.TOKEN, path, body);
            if (ctx.jsonOutput()) {
                ctx.printJson(rotated);
                return;
            }
            ctx.out().println(rotated.path("token").asText());
            ctx.out().flush();
            String previous = textOrNull(rotated.path("previous_key_prefix"));
            ctx.note("Rotated " + rotated.path("id").asText() + ": new key " + rotated.path("key_prefix").asText() + "…"
                    + (previous != null ? "; the previous key " + previous + "… works until "
                    + Times.human(textOrNull(rotated.path("previous_key_expires_at")), ctx.clock()) : "") + ".");
            ctx.note("The secret above is shown only this once: store it now.");
        }
    }

    /** Every token of the org (the active ones unless {@code all}), page after page. */
    static List<JsonNode> listTokens(Context ctx, boolean all) {
        List<JsonNode> tokens = new ArrayList<>();
        String pageToken = null;
        do {
            Map<String, String> q = ApiClient.query();
            q.put("page_size", Integer.toString(PAGE_SIZE));
            q.put("state", all ? "all" : "active");
            q.put("page_token", pageToken);
            JsonNode page = ctx.api().get(Service.TOKEN, "/v1/tokens", q);
            page.path("tokens").forEach(tokens::add);
            pageToken = textOrNull(page.path("next_page_token"));
        } while (pageToken != null);
        return tokens;
    }

    /** A reference to a token by its key (prefix) rather than its id: keys, and so prefixes, start with kw_. */
    static boolean isKeyPrefix(String reference) {
        return ApiKeyFormat.looksLikeApiKey(reference);
    }

    /**
     * The id of the one active token whose key prefix {@code reference} names: the prefix as listed
     * (a trailing … allowed), a shorter start of it, or a longer one (the whole key).
     *
     * @throws CliException not found (4) when no token matches, usage (2) when several do
     */
    static String idOfPrefix(String reference, List<JsonNode> tokens) {
        String wanted = reference.endsWith("…") ? reference.substring(0, reference.length() - 1) : reference;
        List<JsonNode> matches = tokens.stream().filter(t -> {
            String prefix = textOrNull(t.path("key_prefix"));
            return prefix != null && (prefix.startsWith(wanted) || wanted.startsWith(prefix));
        }).toList();
        // Never echo more than a prefix of what was typed: it may be a whole key.
        String shown = ApiKeyFormat.prefixOf(wanted);
        if (matches.isEmpty()) {
            throw new CliException(ExitCode.NOT_FOUND, "no active token has key prefix " + shown + "…",
                    "keyward token list shows the prefixes of the active tokens");
        }
        if (matches.size() > 1) {
            throw CliException.usage("key prefix " + shown + "… is ambiguous: it matches "
                    + matches.stream().map(t -> t.path("id").asText() + " (" + t.path("key_prefix").asText() + "…)")
                            .collect(java.util.stream.Collectors.joining(", "))
                    + "; give more of the prefix, or the id");
        }
        return matches.get(0).path("id").asText();
    }

    /** The kinds for shell completion, from the one vocabulary. */
    static final class Kinds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return java.util.Arrays.stream(TokenKind.values()).map(TokenKind::wireName).iterator();
        }
    }

    /** The environments for shell completion, from the one vocabulary. */
    static final class Environments implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return java.util.Arrays.stream(ApiKeyFormat.Environment.values()).map(ApiKeyFormat.Environment::wireName).iterator();
        }
    }

    static String checkedKind(CommandSpec spec, String kind) {
        return TokenKind.parse(kind).map(TokenKind::wireName).orElseThrow(() ->
                new ParameterException(spec.commandLine(), "--kind must be repo or org, not '" + kind + "'"));
    }

    static long seconds(CommandSpec spec, String flag, String text) {
        try {
            Duration d = Durations.parse(text);
            return d.getSeconds();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), flag + ": " + e.getMessage());
        }
    }

    static String scopes(JsonNode scopes) {
        if (!scopes.isObject()) {
            return null;
        }
        Map<String, List<String>> wire = new LinkedHashMap<>();
        scopes.fields().forEachRemaining(e -> {
            List<String> perms = new ArrayList<>();
            e.getValue().forEach(p -> perms.add(p.asText()));
            wire.put(e.getKey(), perms);
        });
        return ScopeFlags.display(wire);
    }

    static String expiry(Context ctx, JsonNode expiresAt) {
        String at = textOrNull(expiresAt);
        return at == null ? "never expires" : "expires " + Times.human(at, ctx.clock());
    }

    static String state(Context ctx, JsonNode t) {
        if (textOrNull(t.path("revoked_at")) != null) {
            return "revoked";
        }
        String exp = textOrNull(t.path("expires_at"));
        if (exp != null && java.time.Instant.parse(exp).isBefore(ctx.clock().instant())) {
            return "expired";
        }
        return "active";
    }

    static String createdBy(JsonNode by) {
        if (!by.isObject()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (textOrNull(by.path("name")) != null) {
            parts.add(by.path("name").asText());
        }
        if (textOrNull(by.path("user_id")) != null) {
            parts.add("user " + by.path("user_id").asText());
        }
        if (textOrNull(by.path("token_prefix")) != null) {
            parts.add("token " + by.path("token_prefix").asText() + "…");
        }
        return String.join(", ", parts);
    }

    static String join(JsonNode array) {
        if (!array.isArray() || array.isEmpty()) {
            return null;
        }
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return String.join(", ", values);
    }

    static String textOrNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || node.asText().isEmpty() ? null : node.asText();
    }
}
