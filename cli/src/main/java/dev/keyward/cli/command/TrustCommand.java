package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keyward.cli.Context;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Times;
import dev.keyward.cli.parse.Durations;
import dev.keyward.cli.parse.ScopeFlags;
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

/**
 * {@code keyward trust ...}: an org's trust policies ({@code org:admin}), which say whose OIDC tokens
 * (issuer, audience, subject and claim globs) {@code keyward token exchange} turns into Keyward tokens,
 * and with which scopes.
 */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = {"Trust policies: which CI jobs and pods may exchange their OIDC token for a Keyward token,",
                "with which scopes, for how long (needs org:admin). See docs/ci.md."},
        subcommands = {TrustCommand.Create.class, TrustCommand.ListPolicies.class, TrustCommand.Show.class,
                TrustCommand.Delete.class})
public final class TrustCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a trust policy and print it. Globs: * matches any run of characters, the rest is literal,",
                    "and the whole value must match. Example (GitHub Actions, main branch of acme/app):",
                    "  keyward trust create acme --name app-main --issuer https://token.actions.githubusercontent.com \\",
                    "      --audience keyward --subject 'repo:acme/app:ref:refs/heads/main' --claim repository=acme/app \\",
                    "      --scope 'repos:app=git:read' --max-ttl 15m"})
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Option(names = "--name", required = true, description = "what it is for")
        String name;

        @Option(names = "--issuer", required = true, paramLabel = "URL",
                description = "the OIDC issuer of the workload's tokens (its iss; discovery at URL/.well-known/openid-configuration)")
        String issuer;

        @Option(names = "--audience", required = true, paramLabel = "AUD", description = "the aud the workload's token must carry, e.g. keyward")
        String audience;

        @Option(names = "--subject", required = true, paramLabel = "GLOB", description = "glob over the token's sub, e.g. 'repo:acme/app:ref:refs/heads/*'")
        String subject;

        @Option(names = "--claim", paramLabel = "CLAIM=GLOB", description = "repeatable: another claim that must match, e.g. ref=refs/heads/main")
        List<String> claims = new ArrayList<>();

        @Option(names = "--scope", paramLabel = "RESOURCE=PERMS",
                description = "repeatable: what the exchanged tokens may do, as for token create (at most what you hold)")
        List<String> scopes = new ArrayList<>();

        @Option(names = "--max-ttl", paramLabel = "DURATION", description = "longest lifetime of an exchanged token, 60 s up to the server's cap (1h unless changed), e.g. 15m; default: the cap")
        String maxTtl;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode created = ctx.api().post(Service.TOKEN, policiesPath(org), body());
            if (ctx.jsonOutput()) {
                ctx.printJson(created);
                return;
            }
            ctx.print(policyTable(ctx, created));
            ctx.note("Created trust policy " + created.path("id").asText() + " in org " + org + ".");
        }

        /** The request body, checked before anything is sent. */
        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("issuer", issuer);
            body.put("audience", audience);
            body.put("subject", subject);
            Map<String, String> claimGlobs = new LinkedHashMap<>();
            for (String claim : claims) {
                int eq = claim.indexOf('=');
                if (eq <= 0 || eq == claim.length() - 1) {
                    throw new ParameterException(spec.commandLine(),
                            "--claim '" + claim + "' must be CLAIM=GLOB, e.g. 'ref=refs/heads/main'");
                }
                if (claimGlobs.put(claim.substring(0, eq), claim.substring(eq + 1)) != null) {
                    throw new ParameterException(spec.commandLine(), "--claim names '" + claim.substring(0, eq) + "' twice");
                }
            }
            if (!claimGlobs.isEmpty()) {
                body.put("claims", claimGlobs);
            }
            try {
                body.put("scopes", ScopeFlags.toWire(scopes));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (maxTtl != null) {
                body.put("max_ttl", TokenCommand.seconds(spec, "--max-ttl", maxTtl));
            }
            return body;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the org's trust policies.")
    static final class ListPolicies implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            List<JsonNode> policies = new ArrayList<>();
            ctx.api().get(Service.TOKEN, policiesPath(org), null).path("trust_policies").forEach(policies::add);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                policies.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            Table table = new Table("ID", "NAME", "ISSUER", "AUDIENCE", "SUBJECT", "CLAIMS", "SCOPES", "MAX TTL");
            for (JsonNode p : policies) {
                table.row(p.path("id").asText(), TokenCommand.textOrNull(p.path("name")), TokenCommand.textOrNull(p.path("issuer")),
                        TokenCommand.textOrNull(p.path("audience")), TokenCommand.textOrNull(p.path("subject")),
                        claims(p.path("claims")), TokenCommand.scopes(p.path("scopes")), maxTtl(p.path("max_ttl")));
            }
            ctx.print(table);
            ctx.note(policies.size() + (policies.size() == 1 ? " trust policy" : " trust policies"));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one trust policy.")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ORG")
        String org;

        @Parameters(index = "1", paramLabel = "ID", description = "tp_…")
        String id;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode policy = ctx.api().get(Service.TOKEN, policiesPath(org) + "/" + ApiClient.encode(id), null);
            if (ctx.jsonOutput()) {
                ctx.printJson(policy);
                return;
            }
            ctx.print(policyTable(ctx, policy));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete a trust policy: no new exchange under it, and the tokens already exchanged",
                    "under it are refused everywhere within a second."})
    static final class Delete implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ORG")
        String org;

        @Parameters(index = "1", paramLabel = "ID", description = "tp_…")
        String id;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode deleted = ctx.api().delete(Service.TOKEN, policiesPath(org) + "/" + ApiClient.encode(id));
            if (ctx.jsonOutput()) {
                ctx.printJson(deleted);
                return;
            }
            ctx.note("Deleted trust policy " + deleted.path("id").asText(id)
                    + ": the tokens exchanged under it are refused within a second.");
        }
    }

    static String policiesPath(String org) {
        return OrgCommand.orgPath(org) + "/trust-policies";
    }

    /** A trust policy as a FIELD/VALUE table. */
    static Table policyTable(Context ctx, JsonNode p) {
        Table table = new Table("FIELD", "VALUE");
        table.row("id", p.path("id").asText());
        table.row("name", TokenCommand.textOrNull(p.path("name")));
        table.row("issuer", TokenCommand.textOrNull(p.path("issuer")));
        table.row("audience", TokenCommand.textOrNull(p.path("audience")));
        table.row("subject", TokenCommand.textOrNull(p.path("subject")));
        table.row("claims", claims(p.path("claims")));
        table.row("scopes", TokenCommand.scopes(p.path("scopes")));
        table.row("max ttl", maxTtl(p.path("max_ttl")));
        table.row("created", Times.human(TokenCommand.textOrNull(p.path("created_at")), ctx.clock()));
        JsonNode by = p.path("created_by");
        table.row("created by", by.isObject() ? TokenCommand.createdBy(by) : TokenCommand.textOrNull(by));
        return table;
    }

    /** {@code repository=acme/app ref=refs/heads/*}, in the policy's order. */
    static String claims(JsonNode claims) {
        if (!claims.isObject() || claims.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        claims.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(" ", parts);
    }

    static String maxTtl(JsonNode seconds) {
        return seconds.isNumber() ? Durations.exact(seconds.asLong()) : null;
    }
}
