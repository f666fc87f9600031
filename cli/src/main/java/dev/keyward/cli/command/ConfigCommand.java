package dev.keyward.cli.command;

import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.PrivateFiles;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.output.Table;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward config show|set|unset}: the settings file in the user's config folder. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Show or change the settings file (<config dir>/config.properties).",
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class, ConfigCommand.Unset.class})
public final class ConfigCommand extends GroupCommand {

    static final List<String> KEYS = List.of("url", "repo_url", "audit_url", "issuer", "client_id");

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the effective settings and where they come from.")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Table table = new Table("SETTING", "VALUE");
            for (Service s : Service.values()) {
                table.row(s.configKey() + " (" + s.displayName() + ")", ctx.settings().url(s));
            }
            table.row("issuer", ctx.settings().issuer());
            table.row("client_id", ctx.settings().clientId());
            table.row("credentials", ctx.credentials().fromEnvironment() ? "KEYWARD_TOKEN"
                    : java.nio.file.Files.exists(ctx.sessions().file()) ? "session " + ctx.sessions().file() : "none");
            table.row("config file", ctx.settings().configFile().toString());
            ctx.print(table);
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set a value: url, repo_url, audit_url, issuer, client_id.")
    static final class Set implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KEY", completionCandidates = Keys.class)
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Properties p = checked(spec, key, ctx);
            p.setProperty(key, value);
            store(ctx, p);
            ctx.note("Set " + key + " in " + ctx.settings().configFile() + ".");
        }
    }

    @Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove a value.")
    static final class Unset implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "KEY", completionCandidates = Keys.class)
        String key;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Properties p = checked(spec, key, ctx);
            p.remove(key);
            store(ctx, p);
            ctx.note("Removed " + key + " from " + ctx.settings().configFile() + ".");
        }
    }

    static final class Keys implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return KEYS.iterator();
        }
    }

    private static Properties checked(CommandSpec spec, String key, Context ctx) {
        if (!KEYS.contains(key)) {
            throw new ParameterException(spec.commandLine(), "unknown setting '" + key + "'; one of " + String.join(", ", KEYS));
        }
        return ctx.settings().fileProperties();
    }

    /** Settings hold no secret, but the file is kept owner-only like everything in the folder. */
    private static void store(Context ctx, Properties p) {
        try {
            StringWriter w = new StringWriter();
            p.store(w, "keyward CLI settings");
            PrivateFiles.write(ctx.settings().configFile(), w.toString());
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot write " + ctx.settings().configFile() + ": " + e.getMessage(), null, e);
        }
    }
}
