package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keyward.cli.Context;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Times;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keyward org ...}: orgs of token-service. Platform operators ({@code orgs:*}) create,
 * suspend, resume and delete them; an org's admins ({@code org:admin}) read their own org and
 * manage its policy and notification settings.
 */
@Command(name = "org", mixinStandardHelpOptions = true,
        description = {"Create, list, suspend, resume and delete orgs (platform operators);",
                "an org's policy and notification settings (its admins)."},
        subcommands = {OrgCommand.Create.class, OrgCommand.ListOrgs.class, OrgCommand.Show.class,
                OrgCommand.Suspend.class, OrgCommand.Resume.class, OrgCommand.Delete.class,
                OrgPolicyCommand.class, OrgNotificationsCommand.class})
public final class OrgCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create an org (needs orgs:write) and print it.",
                    "With --admin-token its first admin key is printed once, alone, on standard output instead:",
                    "  K=$(keyward org create team-blue --name 'Team Blue' --admin-token)"})
    static final class Create implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ID", description = "2-63 characters of a-z, 0-9 and inner '-', e.g. team-blue")
        String id;

        @Option(names = "--name", paramLabel = "NAME", description = "display name (1-100 characters); default: the id")
        String name;

        @Option(names = "--contact-email", paramLabel = "EMAIL", description = "where expiry notices go when a token's creator has no e-mail")
        String contactEmail;

        @Option(names = "--admin-token", description = "also issue the org's first admin key (every org permission), shown only this once")
        boolean adminToken;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            if (name != null) {
                body.put("name", name);
            }
            if (contactEmail != null) {
                body.put("contact_email", contactEmail);
            }
            if (adminToken) {
                body.put("admin_token", true);
            }
            JsonNode org = ctx.api().post(Service.TOKEN, "/v1/orgs", body);
            if (ctx.jsonOutput()) {
                ctx.printJson(org);
                return;
            }
            JsonNode key = org.path("admin_token");
            if (!key.isObject()) {
                ctx.print(orgTable(ctx, org));
                ctx.note("Created org " + org.path("id").asText() + ".");
                return;
            }
            // As token create: the secret alone on stdout, so K=$(keyward org create ... --admin-token) works.
            ctx.out().println(key.path("token").asText());
            ctx.out().flush();
            ctx.note("Created org " + org.path("id").asText() + " '" + org.path("name").asText() + "' ("
                    + org.path("state").asText() + ") and its admin key " + key.path("id").asText() + " ("
                    + key.path("key_prefix").asText() + "…), " + TokenCommand.expiry(ctx, key.path("expires_at")) + ".");
            ctx.note("The secret above is shown only this once: store it now.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List orgs: every org for a platform operator, an org admin's own org otherwise.")
    static final class ListOrgs implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            List<JsonNode> orgs = new ArrayList<>();
            ctx.api().get(Service.TOKEN, "/v1/orgs", null).path("orgs").forEach(orgs::add);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                orgs.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            Table table = new Table("ID", "NAME", "STATE", "CONTACT", "CREATED");
            for (JsonNode o : orgs) {
                table.row(o.path("id").asText(), TokenCommand.textOrNull(o.path("name")), o.path("state").asText(),
                        TokenCommand.textOrNull(o.path("contact_email")),
                        Times.toSecond(TokenCommand.textOrNull(o.path("created_at"))));
            }
            ctx.print(table);
            ctx.note(orgs.size() + (orgs.size() == 1 ? " org" : " orgs"));
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one org and its policy.")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode o = ctx.api().get(Service.TOKEN, orgPath(org), null);
            if (ctx.jsonOutput()) {
                ctx.printJson(o);
                return;
            }
            ctx.print(orgTable(ctx, o));
            ctx.out().println();
            ctx.print(OrgPolicyCommand.policyTable(o.path("policy")));
        }
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true,
            description = {"Suspend an org (needs orgs:write); resume undoes it.",
                    "Its keys, JWTs and sessions are refused everywhere within a second; nothing is deleted."})
    static final class Suspend implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            changeState(spec, org, "suspend", "Suspended org %s: its credentials are refused until it is resumed.");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Resume a suspended org (needs orgs:write): its credentials work again.")
    static final class Resume implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            changeState(spec, org, "resume", "Resumed org %s.");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Delete an org (needs orgs:write). Cannot be undone.",
                    "Every token is revoked and its repositories removed; its audit trail stays."})
    static final class Delete implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Option(names = {"-y", "--yes"}, description = "do not ask for confirmation (required without a terminal)")
        boolean yes;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Confirmation.byTypingId(spec, ctx, yes, "an org", org,
                    "Delete org " + org + ", revoke all its tokens and remove its repositories? Type its id to confirm: ");
            JsonNode r = ctx.api().delete(Service.TOKEN, orgPath(org));
            if (ctx.jsonOutput()) {
                ctx.printJson(r);
                return;
            }
            int revoked = r.path("revoked_tokens").asInt();
            ctx.note("Deleted org " + org + "; " + revoked + (revoked == 1 ? " token" : " tokens") + " revoked.");
        }
    }

    private static void changeState(CommandSpec spec, String org, String action, String done) {
        Context ctx = Context.of(spec);
        JsonNode o = ctx.api().post(Service.TOKEN, orgPath(org) + "/" + action, null);
        if (ctx.jsonOutput()) {
            ctx.printJson(o);
            return;
        }
        ctx.note(String.format(done, o.path("id").asText(org)));
    }

    /** The API path of one org; the id is encoded, as it comes from the command line unchecked. */
    static String orgPath(String org) {
        return "/v1/orgs/" + ApiClient.encode(org);
    }

    /** An org record as a FIELD/VALUE table (its policy has a table of its own). */
    static Table orgTable(Context ctx, JsonNode o) {
        Table table = new Table("FIELD", "VALUE");
        table.row("id", o.path("id").asText());
        table.row("name", TokenCommand.textOrNull(o.path("name")));
        table.row("state", TokenCommand.textOrNull(o.path("state")));
        table.row("state changed", Times.human(TokenCommand.textOrNull(o.path("state_changed_at")), ctx.clock()));
        table.row("created", Times.human(TokenCommand.textOrNull(o.path("created_at")), ctx.clock()));
        table.row("contact email", TokenCommand.textOrNull(o.path("contact_email")));
        return table;
    }
}
