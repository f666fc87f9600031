package dev.keyward.cli.command;

import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.auth.OidcProvider;
import dev.keyward.cli.auth.Session;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keyward logout}: ends the session at the identity provider (best effort) and removes the stored file. */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Sign out: revoke the session at the identity provider and remove the stored session.")
public final class LogoutCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        Optional<Session> stored;
        try {
            stored = ctx.sessions().load();
        } catch (CliException unreadable) {
            stored = Optional.empty();
        }
        if (stored.isPresent()) {
            try {
                boolean revoked = OidcProvider.ofTokenEndpoint(stored.get().tokenEndpoint(), ctx.http(), ctx.json())
                        .revoke(stored.get());
                if (!revoked) {
                    ctx.note("The identity provider did not confirm the sign-out; the session ends when it expires.");
                }
            } catch (CliException unreachable) {
                // Local sign-out must work even when the provider is gone.
                ctx.note("Could not reach the identity provider (" + unreachable.getMessage() + "); removing the local session anyway.");
            }
        }
        boolean removed = ctx.sessions().delete();
        ctx.note(removed ? "Signed out; removed " + ctx.sessions().file() + "." : "Not signed in.");
        if (ctx.credentials().fromEnvironment()) {
            ctx.note("KEYWARD_TOKEN is still set in this environment.");
        }
    }
}
