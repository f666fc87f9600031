package dev.keyward.cli.command;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The fish completion script, made by walking the command tree (picocli generates only bash): each
 * command's subcommands, options and their candidate values, offered where that command is the one
 * typed so far.
 */
final class FishCompletion {

    private FishCompletion() {
    }

    static String script(CommandSpec root) {
        String name = root.name();
        List<String> paths = new ArrayList<>();
        List<String> completions = new ArrayList<>();
        walk(root, "", name, paths, completions);
        StringBuilder b = new StringBuilder();
        b.append("# fish completion for ").append(name).append(": ").append(name).append(" completion fish | source\n");
        b.append("# (or save it as ~/.config/fish/completions/").append(name).append(".fish)\n\n");
        b.append("set -g __").append(name).append("_commands");
        paths.forEach(p -> b.append(' ').append(quote(p)));
        b.append("\n\n");
        // The command typed so far: the longest chain of known subcommand names among the words
        // (options and their values, and positional arguments, are not names of a deeper command).
        b.append("function __").append(name).append("_path\n")
                .append("    set -l path\n")
                .append("    for word in (commandline -opc)[2..-1]\n")
                .append("        if contains -- (string join -- ' ' $path $word) $__").append(name).append("_commands\n")
                .append("            set path $path $word\n")
                .append("        end\n")
                .append("    end\n")
                .append("    string join -- ' ' $path\n")
                .append("end\n\n");
        b.append("function __").append(name).append("_at\n")
                .append("    set -l path (__").append(name).append("_path)\n")
                .append("    test \"$path\" = \"$argv\"\n")
                .append("end\n\n");
        b.append("complete -c ").append(name).append(" -f\n");
        completions.forEach(line -> b.append(line).append('\n'));
        return b.toString();
    }

    private static void walk(CommandSpec spec, String path, String name, List<String> paths, List<String> out) {
        String prefix = "complete -c " + name + " -n " + quote(("__" + name + "_at " + path).strip());
        for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
            CommandSpec child = sub.getValue().getCommandSpec();
            if (child.usageMessage().hidden()) {
                continue;
            }
            out.add(prefix + " -a " + quote(sub.getKey()) + describe(child.usageMessage().description()));
        }
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            StringBuilder line = new StringBuilder(prefix);
            for (String n : option.names()) {
                line.append(n.startsWith("--") ? " -l " + quote(n.substring(2)) : " -s " + quote(n.substring(1)));
            }
            if (option.arity().min() > 0 && !option.typeInfo().isBoolean()) {
                line.append(candidates(option) != null ? " -x -a " + quote(candidates(option)) : isPath(option) ? " -r -F" : " -x");
            }
            out.add(line + describe(option.description()));
        }
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (positional.hidden()) {
                continue;
            }
            if (candidates(positional) != null) {
                out.add(prefix + " -a " + quote(candidates(positional)) + describe(positional.description()));
            } else if (isPath(positional)) {
                out.add(prefix + " -F");
            }
        }
        for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
            CommandSpec child = sub.getValue().getCommandSpec();
            // Aliases share the command: walk it once under its own name.
            if (!child.usageMessage().hidden() && sub.getKey().equals(child.name())) {
                String childPath = (path + " " + sub.getKey()).strip();
                paths.add(childPath);
                walk(child, childPath, name, paths, out);
            }
        }
    }

    private static String candidates(ArgSpec arg) {
        Iterable<String> values = arg.completionCandidates();
        if (values == null) {
            return null;
        }
        List<String> all = new ArrayList<>();
        values.forEach(all::add);
        return all.isEmpty() ? null : String.join(" ", all);
    }

    /** Whether the argument names files (a path, or a list of them): then fish offers files. */
    private static boolean isPath(ArgSpec arg) {
        List<Class<?>> types = new ArrayList<>(List.of(arg.type()));
        types.addAll(List.of(arg.auxiliaryTypes()));
        return types.stream().anyMatch(t -> Path.class.isAssignableFrom(t) || java.io.File.class.isAssignableFrom(t));
    }

    /** The first line of a description, as fish shows it beside the candidate. */
    private static String describe(String[] description) {
        if (description == null || description.length == 0 || description[0].isBlank()) {
            return "";
        }
        String first = description[0].replaceAll("\\$\\{[A-Z-]+}", "").replaceAll("\\s+", " ").strip();
        return " -d " + quote(first);
    }

    /** A fish single-quoted word: only backslash and the quote are special inside. */
    static String quote(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
