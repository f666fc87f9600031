package dev.keyward.cli.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.CliException;
import dev.keyward.cli.config.Settings;
import dev.keyward.contract.ApiKeyFormat;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which credential the CLI presents: {@code KEYWARD_TOKEN} from the environment wins (CI); else the
 * stored session of {@code keyward login}, refreshed when its access token has run out.
 */
public final class Credentials {

    private final Settings settings;
    // Made on first use: a key from the environment needs none of them (git's credential helper runs
    // this on every git operation, so its start-up counts).
    private final Supplier<SessionStore> sessions;
    private final Supplier<HttpClient> http;
    private final Supplier<ObjectMapper> json;
    private final Clock clock;
    private String resolved;

    public Credentials(Settings settings, Supplier<SessionStore> sessions, Supplier<HttpClient> http, Supplier<ObjectMapper> json,
                       Clock clock) {
        this.settings = settings;
        this.sessions = sessions;
        this.http = http;
        this.json = json;
        this.clock = clock;
    }

    /** The bearer credential to present; exits with "not signed in" when there is none. */
    public String bearer() {
        return find().orElseThrow(() -> CliException.notAuthenticated(
                "not signed in", "run keyward login, or set KEYWARD_TOKEN to an API token"));
    }

    /**
     * The credential in use, as every API command presents it ({@code KEYWARD_TOKEN}, else the session's
     * access token, refreshed if needed), or empty when there is none.
     */
    public synchronized Optional<String> find() {
        if (resolved != null) {
            return Optional.of(resolved);
        }
        String env = settings.envToken();
        if (env != null) {
            resolved = env;
            return Optional.of(env);
        }
        currentSession().ifPresent(session -> resolved = session.accessToken());
        return Optional.ofNullable(resolved);
    }

    /** The stored session with a valid access token (refreshing it if needed), or empty when there is none. */
    public Optional<Session> currentSession() {
        Optional<Session> stored = sessions.get().load();
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        Session session = stored.get();
        if (session.accessTokenValid(clock.instant())) {
            return Optional.of(session);
        }
        if (!session.canRefresh(clock.instant())) {
            throw CliException.notAuthenticated("the stored session has expired", "run keyward login");
        }
        try {
            OidcProvider provider = OidcProvider.ofTokenEndpoint(session.tokenEndpoint(), http.get(), json.get());
            Session renewed = session.renewed(provider.refresh(session.clientId(), session.refreshToken()), clock.instant());
            sessions.get().save(renewed);
            return Optional.of(renewed);
        } catch (OidcProvider.OAuthError e) {
            throw CliException.notAuthenticated("the stored session could not be refreshed (" + e.error() + ")",
                    "run keyward login");
        }
    }

    public boolean fromEnvironment() {
        return settings.envToken() != null;
    }

    /** Which credential is in use, without any secret part: for error messages. */
    public String describe() {
        String env = settings.envToken();
        if (env != null) {
            return "KEYWARD_TOKEN " + ApiKeyFormat.parse(env).map(k -> k.prefix() + "…").orElse("(a JWT or other token)");
        }
        return "the session of keyward login";
    }

    public String unauthorizedHint() {
        if (fromEnvironment()) {
            return "KEYWARD_TOKEN was refused (unknown, expired or revoked): set a valid token, or unset it and run keyward login";
        }
        return "run keyward login, or set KEYWARD_TOKEN to an API token";
    }
}
