package dev.keyward.cli.command;

import picocli.CommandLine.Command;

/** {@code keyward whoami}: {@code keyward auth status} under the name people type first. */
@Command(name = "whoami", mixinStandardHelpOptions = true,
        description = {"Show the credential in use: org, kind, environment, scopes and when it expires.",
                "The same as 'keyward auth status'."})
public final class WhoamiCommand extends AuthStatusCommand {
}
