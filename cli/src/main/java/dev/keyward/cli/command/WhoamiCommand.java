package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.auth.JwtClaims;
import dev.keyward.cli.auth.Session;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Times;
import dev.keyward.contract.ApiKeyFormat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code keyward whoami}: which credential the CLI would use and what it says about its holder. Claims
 * are read locally, unverified: for display only (the services verify every token).
 */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = "Show the credential in use: user, org, roles and expiry (read locally, not verified).")
public final class WhoamiCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        ObjectNode who = ctx.json().createObjectNode();
        String envToken = ctx.settings().envToken();
        if (envToken != null) {
            who.put("source", "KEYWARD_TOKEN");
            ApiKeyFormat.parse(envToken).ifPresentOrElse(key -> {
                who.put("type", "api_key");
                who.put("key_prefix", key.prefix());
                who.put("kind", key.kind().wireName());
                who.put("environment", key.environment().wireName());
            }, () -> JwtClaims.decode(envToken, ctx.json()).ifPresentOrElse(
                    claims -> describeJwt(who, claims, "jwt"),
                    () -> who.put("type", "unrecognised")));
        } else {
            Session session = ctx.credentials().currentSession().orElseThrow(() -> CliException.notAuthenticated(
                    "not signed in", "run keyward login, or set KEYWARD_TOKEN to an API token"));
            who.put("source", "session");
            who.put("session_file", ctx.sessions().file().toString());
            who.put("issuer", session.issuer());
            JwtClaims.decode(session.accessToken(), ctx.json()).ifPresent(claims -> describeJwt(who, claims, "oidc"));
            if (!who.has("expires_at")) {
                who.put("expires_at", Instant.ofEpochSecond(session.expiresAt()).toString());
            }
        }
        if (ctx.jsonOutput()) {
            ctx.printJson(who);
            return;
        }
        Table table = new Table("FIELD", "VALUE");
        who.fields().forEachRemaining(e -> {
            String value = e.getValue().isArray() ? TokenCommand.join(e.getValue()) : e.getValue().asText();
            table.row(e.getKey().replace('_', ' '), e.getKey().equals("expires_at") ? Times.human(value, ctx.clock()) : value);
        });
        table.print(ctx.out());
    }

    private static void describeJwt(ObjectNode who, JsonNode claims, String type) {
        who.put("type", type);
        String user = text(claims, "preferred_username");
        who.put("user", user != null ? user : text(claims, "sub"));
        if (text(claims, "email") != null) {
            who.put("email", text(claims, "email"));
        }
        who.put("org", text(claims, "org") != null ? text(claims, "org") : "jwt".equals(type) ? text(claims, "iss") : null);
        List<String> roles = new ArrayList<>();
        claims.path("realm_access").path("roles").forEach(r -> {
            if (r.asText().startsWith("org-")) {
                roles.add(r.asText());
            }
        });
        if (!roles.isEmpty()) {
            who.putArray("roles").addAll(roles.stream().map(who::textNode).toList());
        }
        if (claims.has("scopes")) {
            who.set("scopes", claims.get("scopes"));
        }
        if (claims.has("exp")) {
            who.put("expires_at", Instant.ofEpochSecond(claims.path("exp").asLong()).toString());
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
