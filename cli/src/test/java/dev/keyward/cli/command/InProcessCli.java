package dev.keyward.cli.command;

import dev.keyward.cli.KeywardCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;

/** The command line in process with a chosen environment: run it, or get the command object the arguments select. */
final class InProcessCli {

    record Result(int exit, String out, String err) {
    }

    private InProcessCli() {
    }

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = KeywardCommand.commandLine(env, Clock.systemUTC(), new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** The command object {@code args} select, parsed and ready (its run() is not called). */
    static <T> T parsed(Map<String, String> env, Class<T> type, String... args) {
        CommandLine cl = KeywardCommand.commandLine(env, Clock.systemUTC(), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        CommandLine.ParseResult result = cl.parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }
}
