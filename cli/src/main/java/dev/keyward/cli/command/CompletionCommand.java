package dev.keyward.cli.command;

import dev.keyward.cli.Context;
import java.util.Iterator;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward completion bash|fish}: the shell completion script (bash, zsh through bashcompinit, fish). */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the shell completion script.",
                "  bash:  source <(keyward completion bash)        (or save it to /etc/bash_completion.d/keyward)",
                "  zsh:   autoload -U +X bashcompinit && bashcompinit && source <(keyward completion bash)",
                "  fish:  keyward completion fish | source        (or save it as ~/.config/fish/completions/keyward.fish)"})
public final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SHELL", defaultValue = "bash", completionCandidates = Shells.class,
            description = "bash (default), zsh or fish")
    String shell;

    @Override
    public void run() {
        if (!List.of("bash", "zsh", "fish").contains(shell)) {
            throw new ParameterException(spec.commandLine(), "completion is available for bash, zsh and fish, not '" + shell + "'");
        }
        Context ctx = Context.of(spec);
        ctx.out().print(shell.equals("fish") ? FishCompletion.script(spec.root())
                : AutoComplete.bash("keyward", spec.root().commandLine()));
        ctx.out().flush();
    }

    static final class Shells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("bash", "zsh", "fish").iterator();
        }
    }
}
