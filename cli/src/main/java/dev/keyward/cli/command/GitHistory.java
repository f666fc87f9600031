package dev.keyward.cli.command;

import dev.keyward.cli.CliException;
import dev.keyward.cli.ExitCode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every blob of a repository's history, each with the commit that introduced it, read through the
 * {@code git} command (not JGit, which would triple the jar). {@code git log --all --reverse --raw -c}
 * names, oldest commit first, each blob a commit adds or changes (for a merge, what differs from every
 * parent); {@code git cat-file --batch} then reads each distinct blob once.
 */
final class GitHistory {

    /** A blob as first introduced: by {@code commit}, at {@code path}. */
    record Blob(String id, String commit, String path) {
    }

    /** Reads the content of one blob at a time; {@code null} content when it is larger than the cap. */
    interface BlobReader {
        void accept(Blob blob, long size, byte[] content) throws IOException;
    }

    private static final String NO_BLOB = "0".repeat(40);

    private final Path dir;

    GitHistory(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code dir} is inside a git work tree or is a git directory. */
    static boolean isRepository(Path dir) {
        try {
            Process p = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "--git-dir")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new CliException(ExitCode.FAILED, "cannot run git: " + e.getMessage(), "--history needs git on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted", null);
        }
    }

    /** Each distinct blob of every commit reachable from any ref, in the order git introduced them. */
    List<Blob> blobs() throws IOException {
        Process log = git("-c", "core.quotePath=false", "log", "--all", "--reverse", "--raw", "-c", "--root",
                "--no-renames", "--no-abbrev", "--format=commit %H");
        List<Blob> blobs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(log.getInputStream(), StandardCharsets.UTF_8))) {
            String commit = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("commit ")) {
                    commit = line.substring("commit ".length()).trim();
                } else if (line.startsWith(":") && commit != null) {
                    // ":<modes> <ids> <status>\t<path>", one mode and id per parent and one for the commit.
                    int tab = line.indexOf('\t');
                    int parents = 0;
                    while (line.charAt(parents) == ':') {
                        parents++;
                    }
                    String[] fields = line.substring(parents, tab).split(" ");
                    String mode = fields[parents];
                    String id = fields[2 * parents + 1];
                    if (!id.equals(NO_BLOB) && !mode.equals("160000") && seen.add(id)) {
                        blobs.add(new Blob(id, commit, line.substring(tab + 1)));
                    }
                }
            }
        }
        finish(log, "git log");
        return blobs;
    }

    /** Hands each blob's content to {@code reader}, one at a time; blobs over {@code maxBytes} get none. */
    void read(List<Blob> blobs, long maxBytes, BlobReader reader) throws IOException {
        Process batch = git("cat-file", "--batch");
        try (OutputStream requests = batch.getOutputStream(); InputStream answers = batch.getInputStream()) {
            for (Blob blob : blobs) {
                requests.write((blob.id() + "\n").getBytes(StandardCharsets.US_ASCII));
                requests.flush();
                // "<id> blob <size>\n<content>\n" (or "<id> missing\n")
                String[] header = headerLine(answers).split(" ");
                if (header.length < 3) {
                    continue;
                }
                long size = Long.parseLong(header[2]);
                byte[] content = null;
                if (size <= maxBytes) {
                    content = answers.readNBytes((int) size);
                } else {
                    answers.skipNBytes(size);
                }
                answers.read(); // the newline after the content
                reader.accept(blob, size, content);
            }
        }
        finish(batch, "git cat-file");
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("git cat-file ended early");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private Process git(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        // What git says on stderr is not ours to show (and never holds blob content); the exit code is checked.
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void finish(Process process, String what) throws IOException {
        try {
            if (process.waitFor() != 0) {
                throw new IOException(what + " failed (exit " + process.exitValue() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(what + " interrupted", e);
        }
    }
}
