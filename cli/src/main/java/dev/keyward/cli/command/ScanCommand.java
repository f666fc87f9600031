package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.contract.ApiKeyFormat;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keyward scan PATH…}: finds Keyward keys (the key pattern with a valid checksum) in files,
 * directories, or with {@code --history} every commit of a git repository. Offline: nothing is sent.
 * Prints only each key's display prefix; exit 1 when it found any, 0 when none, 2 on usage errors.
 */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {"Find Keyward keys in files and directories (recursively, .git skipped), or with --history in every "
                + "commit reachable from any ref of a git repository. Offline; prints file, line and the key prefix only.",
                "Exit 0 no key found, 1 keys found, 2 bad command line."})
public final class ScanCommand implements Runnable {

    /** Larger files and blobs are skipped with a note: keys live in text, and this bounds the memory used. */
    static final long MAX_FILE_BYTES = 256L << 20;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "files or directories (with --history: git repositories)")
    List<Path> paths;

    @Option(names = "--history", description = "scan every blob of every commit reachable from any ref (needs git), "
            + "instead of the files as they are now")
    boolean history;

    @Option(names = "--check", description = "ask Keyward whether each key found is live (needs a key or a session, "
            + "like any API command); the keys travel only in that request's body")
    boolean check;

    /** One key found: where, and (for --history) in which commit. Holds the prefix only. */
    record Finding(String prefix, String path, int line, String commit) {
    }

    private final List<Finding> findings = new ArrayList<>();
    /** The keys of {@link #findings}, index for index: kept only to be checked, never printed. */
    private final List<String> keys = new ArrayList<>();
    /** With --check: whether each key (by index of {@link #findings}) is live. */
    private final java.util.Map<String, Boolean> liveByKey = new java.util.HashMap<>();
    private int scanned;
    private int badChecksums;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw CliException.usage("no such file or directory: " + path);
            }
            if (history && !(Files.isDirectory(path) && GitHistory.isRepository(path))) {
                throw CliException.usage("--history needs a git repository: " + path);
            }
        }
        for (Path path : paths) {
            try {
                if (history) {
                    scanHistory(ctx, path);
                } else {
                    scanTree(ctx, path);
                }
            } catch (IOException e) {
                throw CliException.failed("cannot scan " + path + ": " + e.getMessage(), null);
            }
        }
        report(ctx);
    }

    private void scanTree(Context ctx, Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && dir.getFileName().toString().equals(".git")
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE; // symlinks are not followed, devices and pipes not read
                }
                String shown = file.normalize().toString();
                if (attrs.size() > MAX_FILE_BYTES) {
                    ctx.note("skipped " + shown + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
                    return FileVisitResult.CONTINUE;
                }
                try {
                    scan(Files.readAllBytes(file), shown, null);
                } catch (IOException e) {
                    ctx.note("skipped " + shown + ": " + e.getMessage());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                ctx.note("skipped " + file + ": " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void scanHistory(Context ctx, Path repository) throws IOException {
        GitHistory git = new GitHistory(repository);
        git.read(git.blobs(), MAX_FILE_BYTES, (blob, size, content) -> {
            if (content == null) {
                ctx.note("skipped " + blob.path() + " in commit " + blob.commit() + ": larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
            } else {
                scan(content, blob.path(), blob.commit());
            }
        });
    }

    private void scan(byte[] content, String path, String commit) {
        ApiKeyFormat.KeysInText found = ApiKeyFormat.findKeys(content);
        scanned++;
        badChecksums += found.badChecksums();
        for (ApiKeyFormat.FoundKey key : found.keys()) {
            findings.add(new Finding(key.prefix(), path, key.line(), commit));
            keys.add(key.key());
        }
    }

    /** Asks token-service about every distinct key found, a hundred at a time ({@code POST /v1/leaks/check}). */
    private void checkLiveness(Context ctx) {
        List<String> distinct = keys.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += 100) {
            List<String> batch = distinct.subList(from, Math.min(distinct.size(), from + 100));
            com.fasterxml.jackson.databind.JsonNode answer = ctx.api().post(dev.keyward.cli.config.Service.TOKEN,
                    "/v1/leaks/check", java.util.Map.of("tokens", batch));
            com.fasterxml.jackson.databind.JsonNode results = answer.path("results");
            for (int i = 0; i < batch.size(); i++) {
                liveByKey.put(batch.get(i), results.path(i).path("live").asBoolean(false));
            }
        }
    }

    private String liveness(int index) {
        Boolean live = liveByKey.get(keys.get(index));
        return live == null ? "" : live ? ", LIVE" : ", not live";
    }

    private void report(Context ctx) {
        if (check && !findings.isEmpty()) {
            checkLiveness(ctx);
        }
        if (ctx.jsonOutput()) {
            ArrayNode array = ctx.json().createArrayNode();
            for (int i = 0; i < findings.size(); i++) {
                Finding f = findings.get(i);
                ObjectNode node = array.addObject().put("prefix", f.prefix()).put("path", f.path()).put("line", f.line());
                if (f.commit() != null) {
                    node.put("commit", f.commit());
                }
                Boolean live = liveByKey.get(keys.get(i));
                if (live != null) {
                    node.put("live", live);
                }
            }
            ctx.printJson(array);
        } else {
            for (int i = 0; i < findings.size(); i++) {
                Finding f = findings.get(i);
                ctx.out().println((f.commit() != null ? f.commit().substring(0, 12) + ":" : "") + f.path() + ":" + f.line()
                        + ": " + f.prefix() + "\u2026 (Keyward key" + liveness(i) + ")");
            }
            ctx.out().flush();
        }
        String what = scanned + (history ? " blob" : " file") + (scanned == 1 ? "" : "s") + " scanned"
                + (badChecksums > 0 ? ", " + badChecksums + " look-alike" + (badChecksums == 1 ? "" : "s")
                + " with a bad checksum ignored" : "");
        if (findings.isEmpty()) {
            ctx.note("keyward scan: no Keyward keys found (" + what + ")");
            return;
        }
        long places = findings.stream().map(f -> f.commit() + ":" + f.path()).distinct().count();
        throw new CliException(ExitCode.FAILED, findings.size() + " Keyward key" + (findings.size() == 1 ? "" : "s") + " found in "
                + places + (history ? " blob" : " file") + (places == 1 ? "" : "s") + " (" + what + ")",
                "revoke each one (keyward token revoke <prefix>) and remove it; a key once committed stays in the history");
    }
}
