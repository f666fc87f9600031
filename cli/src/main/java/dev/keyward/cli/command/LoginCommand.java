package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.auth.JwtClaims;
import dev.keyward.cli.auth.LoopbackReceiver;
import dev.keyward.cli.auth.OidcProvider;
import dev.keyward.cli.auth.Pkce;
import dev.keyward.cli.auth.Session;
import dev.keyward.cli.parse.Durations;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keyward login}: signs a person in through the org's OpenID Connect provider, either with the
 * authorization code + PKCE flow and a loopback redirect (open the printed URL in a browser on this
 * machine) or with the device authorization grant ({@code --device}; any browser, anywhere).
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Sign in through the identity provider and store the session (owner-only file).",
                "Prints a URL to open in a browser; with --device, a code to enter on any device."})
public final class LoginCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--issuer", paramLabel = "URL",
            description = "OpenID Connect issuer (env KEYWARD_ISSUER; default: config file, else http://127.0.0.1:8180/realms/keyward)")
    String issuer;

    @Option(names = "--client-id", description = "OAuth client (env KEYWARD_CLIENT_ID; default keyward-cli)")
    String clientId;

    @Option(names = "--device", description = "use the device authorization grant (no browser on this machine needed)")
    boolean device;

    @Option(names = "--port", defaultValue = "0", description = "loopback port for the redirect (default: any free port)")
    int port;

    @Option(names = "--timeout", defaultValue = "5m", paramLabel = "DURATION", description = "how long to wait for the sign-in (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        String iss = issuer != null ? issuer : ctx.settings().issuer();
        String client = clientId != null ? clientId : ctx.settings().clientId();
        Duration wait;
        try {
            wait = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
        if (ctx.credentials().fromEnvironment()) {
            ctx.note("Note: KEYWARD_TOKEN is set and takes precedence over this session until it is unset.");
        }
        OidcProvider provider = OidcProvider.discover(iss, ctx.http(), ctx.json());
        OidcProvider.TokenResponse tokens;
        try {
            tokens = device ? deviceFlow(ctx, provider, client, wait) : codeFlow(ctx, provider, client, wait);
        } catch (OidcProvider.OAuthError e) {
            throw CliException.notAuthenticated("sign-in failed: " + e.getMessage(), "run keyward login again");
        }
        OidcProvider.Discovery d = provider.discovery();
        Instant now = ctx.clock().instant();
        Session session = new Session(d.issuer() != null ? d.issuer() : iss, client, d.tokenEndpoint(),
                d.revocationEndpoint(), d.endSessionEndpoint(), null, null, null, 0, 0).renewed(tokens, now);
        ctx.sessions().save(session);
        JsonNode claims = JwtClaims.decode(session.accessToken(), ctx.json()).orElse(ctx.json().createObjectNode());
        ctx.note("Signed in as " + claims.path("preferred_username").asText(claims.path("sub").asText("?"))
                + (claims.hasNonNull("org") ? " (org " + claims.path("org").asText() + ")" : "")
                + "; session stored in " + ctx.sessions().file() + ".");
    }

    private OidcProvider.TokenResponse codeFlow(Context ctx, OidcProvider provider, String client, Duration wait) {
        String authorize = provider.discovery().authorizationEndpoint();
        if (authorize == null) {
            throw CliException.failed("the identity provider offers no authorization endpoint", "try keyward login --device");
        }
        Pkce pkce = Pkce.create();
        String state = Pkce.randomUrlSafe(24);
        try (LoopbackReceiver receiver = LoopbackReceiver.start(port)) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("response_type", "code");
            q.put("client_id", client);
            q.put("redirect_uri", receiver.redirectUri());
            q.put("scope", "openid");
            q.put("state", state);
            q.put("code_challenge", pkce.challenge());
            q.put("code_challenge_method", "S256");
            StringJoiner url = new StringJoiner("&", authorize + (authorize.contains("?") ? "&" : "?"), "");
            q.forEach((k, v) -> url.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
            ctx.note("Open this URL in a browser on this machine to sign in (waiting up to " + Durations.compact(wait) + "):");
            ctx.note("");
            ctx.note("  " + url);
            ctx.note("");
            Map<String, String> answer = receiver.await(wait);
            if (answer.containsKey("error")) {
                throw CliException.notAuthenticated("sign-in refused by the identity provider: " + answer.get("error")
                        + (answer.containsKey("error_description") ? " (" + answer.get("error_description") + ")" : ""),
                        "run keyward login again");
            }
            if (!state.equals(answer.get("state"))) {
                throw CliException.notAuthenticated("the sign-in answer does not belong to this login (state mismatch)",
                        "run keyward login again and use the URL it prints");
            }
            return provider.exchangeCode(client, answer.get("code"), receiver.redirectUri(), pkce.verifier());
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot listen on 127.0.0.1 for the sign-in redirect: " + e.getMessage(),
                    "try another --port, or keyward login --device", e);
        } catch (TimeoutException e) {
            throw CliException.notAuthenticated("no sign-in within " + Durations.compact(wait), "run keyward login again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted", null, e);
        }
    }

    private OidcProvider.TokenResponse deviceFlow(Context ctx, OidcProvider provider, String client, Duration wait) {
        Pkce pkce = Pkce.create();
        JsonNode start = provider.startDevice(client, "openid", pkce);
        String deviceCode = start.path("device_code").asText();
        String uri = start.path("verification_uri").asText();
        String complete = start.path("verification_uri_complete").asText(null);
        long interval = Math.max(1, start.path("interval").asLong(5));
        Instant deadline = ctx.clock().instant().plus(wait);
        long expiresIn = start.path("expires_in").asLong(0);
        if (expiresIn > 0 && ctx.clock().instant().plusSeconds(expiresIn).isBefore(deadline)) {
            deadline = ctx.clock().instant().plusSeconds(expiresIn);
        }
        ctx.note("To sign in, open " + uri + " on any device and enter the code:");
        ctx.note("");
        ctx.note("  " + start.path("user_code").asText());
        ctx.note("");
        if (complete != null) {
            ctx.note("(or open " + complete + ")");
        }
        while (ctx.clock().instant().isBefore(deadline)) {
            try {
                // The device grant is defined as polling at the provider's interval (RFC 8628 §3.5).
                Thread.sleep(interval * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.FAILED, "interrupted", null, e);
            }
            try {
                return provider.pollDevice(client, deviceCode, pkce);
            } catch (OidcProvider.OAuthError e) {
                switch (e.error()) {
                    case "authorization_pending" -> { }
                    case "slow_down" -> interval += 5;
                    case "expired_token" -> throw CliException.notAuthenticated("the code expired before sign-in completed",
                            "run keyward login --device again");
                    case "access_denied" -> throw CliException.notAuthenticated("sign-in was declined", null);
                    default -> throw e;
                }
            }
        }
        throw CliException.notAuthenticated("no sign-in within " + Durations.compact(wait), "run keyward login --device again");
    }
}
