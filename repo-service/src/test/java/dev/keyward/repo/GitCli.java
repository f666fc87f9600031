package dev.keyward.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code git} CLI with a throwaway HOME, no prompts and no proxies. */
public final class GitCli {

    private final Path home;

    public GitCli() {
        try {
            home = Files.createTempDirectory("keyward-git-home");
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

    public Result run(Path workDir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "protocol.version=2", "-c", "init.defaultBranch=main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
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
        try {
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("git " + String.join(" ", args) + " timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
