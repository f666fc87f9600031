package dev.keyward.cli.command;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands: without one it is a usage error (exit 2) with the list. */
@CommandLine.Command
abstract class GroupCommand implements Runnable {

    @Spec
    CommandSpec groupSpec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(groupSpec.commandLine(),
                "name a subcommand of '" + groupSpec.qualifiedName() + "'");
    }
}
