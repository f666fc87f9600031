package dev.keyward.deploy.images;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The two lower layers of every service image, assembled without a container registry:
 * <ul>
 *   <li>{@code os}: the C runtime the JVM links against (glibc, libgcc, libstdc++, zlib), unpacked
 *   with {@code dpkg-deb} from the Debian packages of the build machine's own distribution
 *   ({@link DebianPackages}, fetched once into a cache), plus {@code /etc/passwd} with the
 *   unprivileged user 185 and {@code /tmp};</li>
 *   <li>{@code jre}: a Java runtime cut by {@code jlink} from the build JDK.</li>
 * </ul>
 * Both are built once into a folder and reused; delete it to rebuild.
 */
final class BaseLayers {

    /** Every Java SE module plus the JDK ones Quarkus, Kafka, Netty and the JDBC driver reach at run time. */
    static final String MODULES = String.join(",", "java.se", "jdk.crypto.ec", "jdk.crypto.cryptoki", "jdk.unsupported",
            "jdk.zipfs", "jdk.management", "jdk.management.agent", "jdk.jfr", "jdk.naming.dns", "jdk.net",
            "jdk.localedata", "jdk.charsets", "jdk.security.auth", "jdk.jdwp.agent");

    static final int USER_ID = 185;

    private final Path dir;
    private final DebianPackages packages;

    BaseLayers(Path dir, DebianPackages packages) {
        this.dir = dir;
        this.packages = packages;
    }

    Path os() {
        return dir.resolve("os");
    }

    Path jre() {
        return dir.resolve("jre");
    }

    /** Builds what is missing. */
    void prepare() throws IOException, InterruptedException {
        if (!Files.exists(dir.resolve("os.done"))) {
            buildOs();
            Files.writeString(dir.resolve("os.done"), String.join("\n", DebianPackages.PACKAGES) + "\n");
        }
        if (!Files.exists(dir.resolve("jre.done"))) {
            buildJre();
            Files.writeString(dir.resolve("jre.done"), MODULES + "\n");
        }
    }

    private void buildOs() throws IOException, InterruptedException {
        List<Path> debs = packages.fetch(System.err);
        clear(os());
        Files.createDirectories(os());
        for (Path deb : debs) {
            run(dir, List.of("dpkg-deb", "-x", deb.toString(), os().toString()));
        }
        // Documentation and package metadata are of no use in the image.
        clear(os().resolve("usr/share"));
        Path etc = Files.createDirectories(os().resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + "keyward:x:" + USER_ID + ":" + USER_ID + ":Keyward:/app:/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nkeyward:x:" + USER_ID + ":\n");
        Files.writeString(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n");
        Path tmp = Files.createDirectories(os().resolve("tmp"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private void buildJre() throws IOException {
        clear(jre());
        Files.createDirectories(jre().getParent());
        ToolProvider jlink = ToolProvider.findFirst("jlink")
                .orElseThrow(() -> new IllegalStateException("jlink is missing: run the image build on a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        int exit = jlink.run(new PrintWriter(out), new PrintWriter(out), "--add-modules", MODULES,
                "--strip-debug", "--no-man-pages", "--no-header-files", "--compress=2", "--output", jre().toString());
        if (exit != 0) {
            throw new IllegalStateException("jlink failed (" + exit + "): " + out);
        }
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    static void clear(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
