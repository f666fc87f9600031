package dev.keyward.cli.command;

import dev.keyward.cli.Context;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward completion bash}: the shell completion script (bash; zsh through bashcompinit). */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script.",
                "  bash:  source <(keyward completion bash)        (or save it to /etc/bash_completion.d/keyward)",
                "  zsh:   autoload -U +X bashcompinit && bashcompinit && source <(keyward completion bash)"})
public final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", description = "bash (default) or zsh")
    String shell;

    @Override
    public void run() {
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw new ParameterException(spec.commandLine(), "completion is available for bash and zsh, not '" + shell + "'");
        }
        Context ctx = Context.of(spec);
        ctx.out().print(AutoComplete.bash("keyward", spec.root().commandLine()));
        ctx.out().flush();
    }
}
