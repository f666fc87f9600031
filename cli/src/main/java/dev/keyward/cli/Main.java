package dev.keyward.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/** Entry point of {@code keyward}: runs one command and exits with its documented exit code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = KeywardCommand.commandLine(System.getenv(), Clock.systemUTC(), out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
