package dev.keyward.repo.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * What push protection adds to a large push: a 50 MB push of incompressible data (50 files of
 * 1 MiB in three commits, no key) is pushed with git into an empty bare repository, and then
 * scanned as the pre-receive hook scans it ({@link PushScanner}, objects present, no ref yet).
 * Pushing into a local bare repository with git's own receive-pack is faster than the same push
 * over HTTP to repo-service's JGit, so the printed ratio (scan / push) overstates the scan's share.
 * Median of the rounds, one run: {@code repo-service/bench/push-scan.sh [rounds=5] [megabytes=50]}.
 */
public final class PushScanBenchmark {

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        Path dir = Files.createTempDirectory("keyward-push-scan");
        Path work = dir.resolve("work");
        Files.createDirectories(work);
        git(work, "init", "-q", "-b", "main");
        Random random = new Random(42);
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < megabytes; i++) {
            random.nextBytes(chunk);
            Files.write(work.resolve("blob-" + i + ".bin"), chunk);
            if (i == megabytes / 3 || i == 2 * megabytes / 3 || i == megabytes - 1) {
                git(work, "add", "-A");
                git(work, "-c", "user.name=bench", "-c", "user.email=bench@keyward.test", "commit", "-q", "-m", "part " + i);
            }
        }
        List<Long> pushes = new ArrayList<>();
        List<Long> scans = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Path bare = dir.resolve("bare-" + r + ".git");
            git(dir, "init", "-q", "--bare", bare.toString());
            long start = System.nanoTime();
            git(work, "push", "-q", bare.toUri().toString(), "HEAD:refs/heads/incoming");
            pushes.add(System.nanoTime() - start);
            // The pre-receive state: the objects are in, no ref names them yet.
            git(bare, "update-ref", "-d", "refs/heads/incoming");
            try (Repository repository = new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
                ObjectId head = repository.resolve(gitOut(work, "rev-parse", "HEAD").strip());
                ReceiveCommand command = new ReceiveCommand(ObjectId.zeroId(), head, "refs/heads/main");
                long scanStart = System.nanoTime();
                PushScanner.Result result = new PushScanner(PushScanner.Budgets.DEFAULT).scan(repository, List.of(command));
                scans.add(System.nanoTime() - scanStart);
                if (!result.findings().isEmpty() || !result.complete()) {
                    throw new IllegalStateException("unexpected scan result: " + result);
                }
            }
        }
        long push = median(pushes);
        long scan = median(scans);
        System.out.printf("push of %d MB (git, local bare repository): median %d ms over %d rounds%n",
                megabytes, TimeUnit.NANOSECONDS.toMillis(push), rounds);
        System.out.printf("push protection scan of the same objects: median %d ms (%.0f MB/s)%n",
                TimeUnit.NANOSECONDS.toMillis(scan), megabytes / (scan / 1e9));
        System.out.printf("scan / push = %.1f%%%n", 100.0 * scan / push);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        gitOut(dir, args);
    }

    private static String gitOut(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("git");
        Collections.addAll(command, args);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
