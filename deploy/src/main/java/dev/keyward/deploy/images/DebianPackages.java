package dev.keyward.deploy.images;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Debian packages of the images' {@code os} layer, fetched once with {@code apt-get} into a cache
 * that {@code mvn clean} does not delete. apt-get runs with state of its own in that cache (package
 * lists, its caches, an empty dpkg status) and without the machine's update hooks (which refresh
 * system caches): it reads the machine's apt sources, keys and settings, writes nothing outside the
 * cache, and needs no root.
 */
final class DebianPackages {

    /** Read after the machine's apt configuration: its hooks would write system caches (AppStream, PackageKit, stamps). */
    static final String NO_HOOKS = """
            // ./keyward images: apt-get with state of its own, and none of the machine's hooks
            #clear APT::Update::Pre-Invoke;
            #clear APT::Update::Post-Invoke;
            #clear APT::Update::Post-Invoke-Success;
            #clear DPkg::Pre-Invoke;
            #clear DPkg::Post-Invoke;
            #clear DPkg::Pre-Install-Pkgs;
            """;

    /** The packages whose libraries the JVM loads; nothing else (no shell, no package manager). */
    static final List<String> PACKAGES = List.of("libc6", "libgcc-s1", "libstdc++6", "zlib1g");

    private final Path cache;
    private final String aptGet;

    DebianPackages(Path cache) {
        this(cache, "apt-get");
    }

    /** {@code aptGet}: the program to run; tests name one that fails, to see the message without a network. */
    DebianPackages(Path cache, String aptGet) {
        this.cache = cache.toAbsolutePath().normalize();
        this.aptGet = aptGet;
    }

    /** {@code $KEYWARD_CACHE/images}, else {@code $XDG_CACHE_HOME/keyward/images}, else {@code ~/.cache/keyward/images}. */
    static Path defaultCache(Map<String, String> env, Path userHome) {
        String keyward = env.get("KEYWARD_CACHE");
        if (keyward != null && !keyward.isBlank()) {
            return Path.of(keyward).resolve("images");
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : userHome.resolve(".cache");
        return base.resolve("keyward").resolve("images");
    }

    Path cache() {
        return cache;
    }

    /** Where the {@code .deb} files are kept. */
    Path debs() {
        return cache.resolve("debs");
    }

    private Path apt() {
        return cache.resolve("apt");
    }

    /** The apt-get command lines, in order: fresh package lists, then the packages into {@link #debs()}. */
    List<List<String>> commands() {
        List<String> options = List.of(aptGet, "-q", "-c", apt().resolve("keyward.conf").toString(),
                "-o", "Dir::State=" + apt().resolve("state"),
                "-o", "Dir::State::status=" + apt().resolve("state/status"),
                "-o", "Dir::Cache=" + apt().resolve("cache"));
        List<String> update = new ArrayList<>(options);
        update.add("update");
        List<String> download = new ArrayList<>(options);
        download.add("download");
        download.addAll(PACKAGES);
        return List.of(update, download);
    }

    /** The cached packages' files, fetched first when one is missing. */
    List<Path> fetch(PrintStream progress) throws IOException, InterruptedException {
        if (!PACKAGES.stream().allMatch(this::cached)) {
            progress.println("Fetching the Debian packages " + String.join(", ", PACKAGES) + " for the images' os layer"
                    + " with apt-get from this machine's apt sources, once; they and apt's package lists are kept in "
                    + cache + " (nothing else on the machine changes) ...");
            prepareState();
            BaseLayers.clear(debs());
            Files.createDirectories(debs());
            for (List<String> command : commands()) {
                run(command);
            }
        }
        try (Stream<Path> files = Files.list(debs())) {
            return files.filter(f -> f.toString().endsWith(".deb")).sorted().toList();
        }
    }

    /** apt-get download names a file {@code <package>_<version>_<arch>.deb}. */
    private boolean cached(String pkg) {
        try (Stream<Path> files = Files.list(debs())) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(pkg + "_") && f.toString().endsWith(".deb"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The folders apt expects under its state and cache, the (empty) dpkg status it reads, the configuration without hooks. */
    private void prepareState() throws IOException {
        Files.createDirectories(apt());
        Files.writeString(apt().resolve("keyward.conf"), NO_HOOKS);
        Files.createDirectories(apt().resolve("state/lists/partial"));
        Files.createDirectories(apt().resolve("cache/archives/partial"));
        Path status = apt().resolve("state/status");
        if (!Files.exists(status)) {
            Files.createFile(status);
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(debs().toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw cannotFetch(command, aptGet + " is missing (" + e.getMessage() + ")");
        }
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw cannotFetch(command, output.isBlank() ? "(no output)" : output.strip());
        }
    }

    private IllegalStateException cannotFetch(List<String> command, String said) {
        return new IllegalStateException("Cannot fetch the Debian packages " + String.join(", ", PACKAGES)
                + " for the images' os layer: '" + String.join(" ", command) + "' failed. The first image build needs"
                + " this machine's apt sources (a Debian mirror) to be reachable; later builds use " + debs()
                + ". Without a network, put those packages' .deb files there (apt-get download on a machine of"
                + " the same Debian release). apt-get said:\n" + said);
    }
}
