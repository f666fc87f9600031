package dev.keyward.cli.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.parse.ScopeFlags;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keyward token exchange}: a CI job's or pod's own OIDC token for a short-lived Keyward token
 * (RFC 8693 at {@code POST /v1/token-exchange}). It presents no Keyward credential, so a job needs
 * no stored secret, no config and no session.
 */
@Command(name = "exchange", mixinStandardHelpOptions = true,
        description = {"Exchange the OIDC token of a CI job or pod for a short-lived Keyward token, printed alone on",
                "standard output. Needs no Keyward credential: an org admin's trust policy decides (keyward trust).",
                "The OIDC token is read from --oidc-token-file, else from the environment variable KEYWARD_OIDC_TOKEN.",
                "  T=$(keyward token exchange --org acme --scope 'repos:app=git:read')",
                "  git -c http.extraHeader=\"Authorization: Bearer $T\" clone https://keyward.example.com/acme/app.git"})
public final class TokenExchangeCommand implements Runnable {

    static final String OIDC_TOKEN_ENV = "KEYWARD_OIDC_TOKEN";
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String PATH = "/v1/token-exchange";

    @Spec
    CommandSpec spec;

    @Option(names = "--org", required = true, paramLabel = "ORG", description = "the org whose trust policy should match")
    String org;

    @Option(names = "--oidc-token-file", paramLabel = "FILE",
            description = "file holding the workload's OIDC token (e.g. a projected service-account token); default: env KEYWARD_OIDC_TOKEN")
    Path oidcTokenFile;

    @Option(names = "--scope", paramLabel = "ITEM",
            description = {"repeatable: ask for less than the policy grants; RESOURCE=PERM[,PERM...] (repos:app=git:read)",
                    "  or a bare permission (git:read: on every resource of the policy that has it); default: the policy's scopes"})
    List<String> scopes = new ArrayList<>();

    @Option(names = "--ttl", paramLabel = "DURATION", description = "lifetime, e.g. 10m, 1h, 600 (60 s up to the policy's max TTL); default: the policy's max TTL")
    String ttl;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        Map<String, String> form = form(ctx.settings().env());
        HttpResponse<String> response = ctx.api().postFormWithoutCredentials(Service.TOKEN, PATH, form);
        JsonNode answer = json(ctx, response.body());
        if (response.statusCode() != 200) {
            throw refusal(response.statusCode(), answer);
        }
        String accessToken = TokenCommand.textOrNull(answer.path("access_token"));
        if (accessToken == null) {
            throw CliException.failed("token-service answered the exchange without an access_token",
                    "check that --url points at token-service");
        }
        if (ctx.jsonOutput()) {
            ctx.printJson(answer);
            return;
        }
        // Only the token on stdout, so T=$(keyward token exchange ...) works; what it may do goes to the job's log.
        ctx.out().println(accessToken);
        ctx.out().flush();
        ctx.note("Keyward token for org " + org + ": " + answer.path("scope").asText("?") + ", expires in "
                + answer.path("expires_in").asText("?") + " s.");
    }

    /**
     * The form fields of the exchange, checked before anything is sent; the OIDC token from
     * {@code --oidc-token-file}, else from {@code KEYWARD_OIDC_TOKEN} in {@code env}.
     */
    Map<String, String> form(Map<String, String> env) {
        String requestedScope;
        try {
            requestedScope = ScopeFlags.toRequestedScope(scopes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String requestedTtl = null;
        if (ttl != null) {
            requestedTtl = Long.toString(TokenCommand.seconds(spec, "--ttl", ttl));
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("subject_token", oidcToken(env));
        form.put("subject_token_type", JWT_TOKEN_TYPE);
        form.put("audience", org);
        form.put("scope", requestedScope.isEmpty() ? null : requestedScope);
        form.put("requested_ttl", requestedTtl);
        return form;
    }

    private String oidcToken(Map<String, String> env) {
        if (oidcTokenFile != null) {
            String token;
            try {
                token = Files.readString(oidcTokenFile).strip();
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--oidc-token-file: cannot read " + oidcTokenFile
                        + " (" + e.getClass().getSimpleName() + ")");
            }
            if (token.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--oidc-token-file: " + oidcTokenFile + " is empty");
            }
            return token;
        }
        String token = env.get(OIDC_TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw new ParameterException(spec.commandLine(), "no OIDC token: give --oidc-token-file FILE or set "
                    + OIDC_TOKEN_ENV + " to the token your CI platform issues (see docs/ci.md)");
        }
        return token.strip();
    }

    /** A refused exchange: RFC 6749's {@code {error, error_description}}, or the service's {@code {error, message}}. */
    static CliException refusal(int status, JsonNode answer) {
        String error = TokenCommand.textOrNull(answer.path("error"));
        if (error == null) {
            return CliException.failed("token-service answered HTTP " + status + " to the exchange",
                    status >= 500 ? "the service failed; try again, and check its log if it persists" : null);
        }
        String description = TokenCommand.textOrNull(answer.path("error_description"));
        if (description == null) {
            description = TokenCommand.textOrNull(answer.path("message"));
        }
        String hint = switch (error) {
            case "invalid_grant" -> "the OIDC token was not accepted (expired, another audience, an unknown issuer), or no trust"
                    + " policy of the org matches its issuer, audience, subject and claims: keyward trust list ORG";
            case "invalid_target" -> "no such org, or it is suspended: check --org";
            case "invalid_scope" -> "ask for no more than the trust policy's scopes (keyward trust show ORG ID), or leave out --scope";
            case "invalid_request" -> "see keyward token exchange --help";
            default -> status >= 500 ? "the service failed; try again, and check its log if it persists" : null;
        };
        return new CliException(ExitCode.FAILED, "error: " + error + (description != null ? ": " + description : ""), hint);
    }

    private static JsonNode json(Context ctx, String body) {
        try {
            JsonNode node = body == null || body.isBlank() ? null : ctx.json().readTree(body);
            return node != null ? node : ctx.json().createObjectNode();
        } catch (JsonProcessingException e) {
            return ctx.json().createObjectNode();
        }
    }
}
