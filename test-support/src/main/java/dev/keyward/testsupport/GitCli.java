package dev.keyward.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code git} CLI as a test's user would, but with a HOME of its own (no personal
 * config or credential helper), no prompts, no proxies and a fixed author.
 */
public final class GitCli {

    private final Path home;

    /** git with a throwaway HOME. */
    public GitCli() {
        this(tempHome());
    }

    /** git with {@code home} as HOME (created if missing). */
    public GitCli(Path home) {
        try {
            this.home = Files.createDirectories(home);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempHome() {
        try {
            return Files.createTempDirectory("keyward-git-home");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a git command did: exit code and combined stdout/stderr. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public Path newDir(String name) {
        try {
            return Files.createTempDirectory(home, name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a git command in {@code workDir} and waits for it (a minute at most). */
    public Result run(Path workDir, String... args) {
        return start(workDir, args).await(Duration.ofSeconds(60));
    }

    /** Runs a command with extra environment variables (e.g. {@code GIT_AUTHOR_DATE}, {@code GIT_COMMITTER_NAME}). */
    public Result run(Path workDir, Map<String, String> env, String... args) {
        return start(workDir, env, args).await(Duration.ofSeconds(60));
    }

    /** A git command started and not yet waited for (to act while it streams). */
    public final class Running {
        private final Process process;
        private final Path output;
        private final String command;
        private Result result;

        private Running(Process process, Path output, String command) {
            this.process = process;
            this.output = output;
            this.command = command;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the command's end; fails the test when it takes longer than {@code timeout}. */
        public Result await(Duration timeout) {
            if (result != null) {
                return result;
            }
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("git " + command + " timed out");
                }
                result = new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
                Files.delete(output);
                return result;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Starts a git command; its combined output goes to a file, so nothing has to read it meanwhile. */
    public Running start(Path workDir, String... args) {
        return start(workDir, Map.of(), args);
    }

    private Running start(Path workDir, Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "protocol.version=2", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        try {
            Path output = Files.createTempFile(home, "git-output", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy") || k.startsWith("GIT_"));
            env.put("HOME", home.toString());
            env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_ASKPASS", "/bin/false");
            env.put("GIT_AUTHOR_NAME", "Test Agent");
            env.put("GIT_AUTHOR_EMAIL", "agent@example.com");
            env.put("GIT_COMMITTER_NAME", "Test Agent");
            env.put("GIT_COMMITTER_EMAIL", "agent@example.com");
            env.putAll(extraEnv);
            return new Running(pb.start(), output, String.join(" ", args));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates a commit with one file in {@code repo} (a working tree). */
    public void commitFile(Path repo, String file, String content) {
        try {
            Path f = repo.resolve(file);
            Files.createDirectories(f.getParent());
            Files.writeString(f, content);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        expectOk(run(repo, "add", file));
        expectOk(run(repo, "commit", "-q", "-m", "add " + file));
    }

    public static Result expectOk(Result r) {
        if (!r.ok()) {
            throw new AssertionError("git failed (" + r.exitCode() + "):\n" + r.output());
        }
        return r;
    }
}
