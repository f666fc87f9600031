package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.auth.JwtClaims;
import dev.keyward.cli.auth.Session;
import dev.keyward.cli.config.Service;
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
 * {@code keyward auth status}, and {@code keyward whoami} ({@link WhoamiCommand}): the credential in use,
 * its org, kind, environment, scopes and expiry. Only token-service knows an API key's org, scopes and
 * expiry, so a key is described by its own record ({@code GET /v1/tokens/self}); a session's or a JWT's
 * claims are read locally, unverified, for display only (the services verify every token).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the credential in use: org, kind, environment, scopes and when it expires.",
                "An API key is described by token-service (its own record); a session or a JWT by its claims (read locally, not verified)."})
public class AuthStatusCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        ObjectNode who = describe(ctx);
        if (ctx.jsonOutput()) {
            ctx.printJson(who);
            return;
        }
        Table table = new Table("FIELD", "VALUE");
        who.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "expires_at" -> table.row("expires", Times.expiry(TokenCommand.textOrNull(v), ctx.clock()));
                case "scopes" -> table.row("scopes", TokenCommand.scopes(v));
                default -> table.row(e.getKey().replace('_', ' '), v.isArray() ? TokenCommand.join(v) : TokenCommand.textOrNull(v));
            }
        });
        ctx.print(table);
    }

    private static ObjectNode describe(Context ctx) {
        ObjectNode who = ctx.json().createObjectNode();
        String envToken = ctx.settings().envToken();
        if (envToken != null) {
            who.put("source", "KEYWARD_TOKEN");
            if (ApiKeyFormat.parse(envToken).isPresent()) {
                describeKey(ctx, who);
            } else {
                JwtClaims.decode(envToken, ctx.json()).ifPresentOrElse(
                        claims -> describeJwt(who, claims, "jwt"),
                        () -> who.put("type", "unrecognised"));
            }
            return who;
        }
        Session session = ctx.credentials().currentSession().orElseThrow(() -> CliException.notAuthenticated(
                "not signed in", "run keyward login, or set KEYWARD_TOKEN to an API token"));
        who.put("source", "session");
        JwtClaims.decode(session.accessToken(), ctx.json()).ifPresent(claims -> describeJwt(who, claims, "oidc"));
        who.put("kind", "session");
        // A session ends when its refresh token does; the access token is renewed until then.
        long end = session.refreshExpiresAt() > 0 ? session.refreshExpiresAt() : session.expiresAt();
        who.put("expires_at", Instant.ofEpochSecond(end).toString());
        who.put("issuer", session.issuer());
        who.put("session_file", ctx.sessions().file().toString());
        return who;
    }

    private static void describeKey(Context ctx, ObjectNode who) {
        JsonNode self = ctx.api().get(Service.TOKEN, "/v1/tokens/self", null);
        who.put("type", "api_key");
        for (String field : List.of("org", "kind", "environment", "key_prefix", "id", "name", "scopes", "expires_at")) {
            JsonNode value = self.path(field);
            if (value.isMissingNode()) {
                who.putNull(field);
            } else {
                who.set(field, value);
            }
        }
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
            if (r.asText().startsWith("org-") || r.asText().equals("keyward-operator")) {
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
