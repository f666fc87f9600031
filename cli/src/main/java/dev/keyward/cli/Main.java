package dev.keyward.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import picocli.CommandLine;

/** Entry point of {@code keyward}: runs one command and exits with its documented exit code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        CommandLine cl = KeywardCommand.commandLine(System.getenv(), Clock.systemUTC(), System.in, System.out, err, args);
        int code = cl.execute(args);
        cl.getOut().flush();
        System.out.flush();
        err.flush();
        System.exit(code);
    }
}
