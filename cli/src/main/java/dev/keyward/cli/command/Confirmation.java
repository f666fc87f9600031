package dev.keyward.cli.command;

import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The confirmation of something that cannot be undone: the person types the id, or the command line says --yes. */
final class Confirmation {

    private Confirmation() {
    }

    /**
     * Returns when {@code yes} was given or the person at the terminal typed {@code id}; without a
     * terminal and without {@code --yes} it is a usage error (a script must say it means it).
     *
     * @param what     what is about to go, for the messages: "a repository", "an org"
     * @param question the prompt, ending in the request to type the id
     */
    static void byTypingId(CommandSpec spec, Context ctx, boolean yes, String what, String id, String question) {
        if (yes) {
            return;
        }
        java.io.Console console = System.console();
        if (console == null) {
            throw new ParameterException(spec.commandLine(),
                    "deleting " + what + " cannot be undone: add --yes to confirm when there is no terminal");
        }
        String typed = console.readLine("%s", question);
        if (!id.equals(typed == null ? null : typed.trim())) {
            ctx.note("Not deleted.");
            throw new CliException(ExitCode.FAILED, "not confirmed", null);
        }
    }
}
