package dev.keyward.cli.output;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a stream of this process is a terminal: decides whether progress is drawn. */
public final class Terminal {

    private Terminal() {
    }

    /**
     * True when standard error is a terminal. Java 17 cannot ask about one stream, so on Linux this
     * reads where file descriptor 2 points; elsewhere it falls back to whether there is a console.
     */
    public static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        if (Files.exists(fd2, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }
}
