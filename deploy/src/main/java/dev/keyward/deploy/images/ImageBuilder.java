package dev.keyward.deploy.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Builds the container image of each service with Jib, without a Docker daemon or a registry, as a
 * tarball that {@code docker load}, {@code podman load}, {@code skopeo copy docker-archive:…} or
 * {@code crane push} take. Four layers, least changing first: {@code os} and {@code jre} (see
 * {@link BaseLayers}), the service's libraries, then the service itself (the Quarkus fast-jar).
 *
 * <pre>java … ImageBuilder --out DIR [--name-prefix keyward] [--tag VERSION] [service …]</pre>
 */
public final class ImageBuilder {

    public static final List<String> SERVICES = List.of("token-service", "repo-service", "audit-service");
    static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/app");
    static final AbsoluteUnixPath JAVA_HOME = AbsoluteUnixPath.get("/opt/java");
    /** The JVM reads its heap from the container's memory limit; the image sets nothing else. */
    public static final List<String> ENTRYPOINT = List.of(JAVA_HOME + "/bin/java", "-XX:MaxRAMPercentage=75.0",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
            "-jar", APP + "/quarkus-run.jar");

    private final Path projectRoot;
    private final BaseLayers base;

    /**
     * @param workDir where the {@code os} and {@code jre} layers are assembled; the Debian packages
     *                they come from are fetched once into {@link DebianPackages#defaultCache}
     */
    public ImageBuilder(Path projectRoot, Path workDir) {
        this.projectRoot = projectRoot.toAbsolutePath();
        this.base = new BaseLayers(workDir.resolve("base"),
                new DebianPackages(DebianPackages.defaultCache(System.getenv(), Path.of(System.getProperty("user.home")))));
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("keyward.root", ".")).toAbsolutePath().normalize();
        Path out = root.resolve("deploy/target/images");
        String prefix = "keyward";
        String tag = System.getProperty("keyward.version", "latest-build");
        List<String> services = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]).toAbsolutePath();
                case "--name-prefix" -> prefix = args[++i];
                case "--tag" -> tag = args[++i];
                default -> {
                    if (!SERVICES.contains(args[i])) {
                        System.err.println("unknown service or option '" + args[i] + "'; services: " + SERVICES
                                + "; options: --out DIR --name-prefix REGISTRY/NAMESPACE --tag TAG");
                        System.exit(2);
                    }
                    services.add(args[i]);
                }
            }
        }
        ImageBuilder builder = new ImageBuilder(root, root.resolve("deploy/target/images"));
        for (String service : services.isEmpty() ? SERVICES : services) {
            String name = prefix + "/" + service + ":" + tag;
            try {
                Path tar = builder.build(service, name, out);
                System.out.println(name + " -> " + root.relativize(tar));
            } catch (IllegalStateException e) {
                // Not built, packages not fetchable, no jlink: the message says what to do; a stack trace would not.
                System.err.println("keyward images: " + e.getMessage());
                System.exit(1);
            }
        }
    }

    /** Builds {@code service}'s image named {@code imageName} into {@code outDir/<service>.tar}. */
    public Path build(String service, String imageName, Path outDir) throws Exception {
        Path app = projectRoot.resolve(service).resolve("target/quarkus-app");
        if (!Files.exists(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(service + " is not packaged: run ./mvnw package -DskipTests first");
        }
        base.prepare();
        Files.createDirectories(outDir);
        Path tar = outDir.resolve(service + ".tar");

        FileEntriesLayer.Builder libs = FileEntriesLayer.builder().setName("dependencies");
        addTree(libs, app.resolve("lib"), APP.resolve("lib"));
        FileEntriesLayer.Builder application = FileEntriesLayer.builder().setName("application");
        addTree(application, app.resolve("app"), APP.resolve("app"));
        addTree(application, app.resolve("quarkus"), APP.resolve("quarkus"));
        addTree(application, app.resolve("quarkus-run.jar"), APP.resolve("quarkus-run.jar"));
        FileEntriesLayer.Builder os = FileEntriesLayer.builder().setName("os");
        addTree(os, base.os(), AbsoluteUnixPath.get("/"));
        FileEntriesLayer.Builder jre = FileEntriesLayer.builder().setName("jre");
        addTree(jre, base.jre(), JAVA_HOME);

        JibContainerBuilder image = Jib.fromScratch()
                .setFormat(ImageFormat.Docker)
                .addFileEntriesLayer(os.build())
                .addFileEntriesLayer(jre.build())
                .addFileEntriesLayer(libs.build())
                .addFileEntriesLayer(application.build())
                .setEntrypoint(ENTRYPOINT)
                .setEnvironment(Map.of("JAVA_HOME", JAVA_HOME.toString(), "LANG", "C.UTF-8"))
                .setWorkingDirectory(APP)
                .setUser(BaseLayers.USER_ID + ":" + BaseLayers.USER_ID)
                .addExposedPort(Port.tcp(httpPort(service)))
                .addLabel("org.opencontainers.image.title", "keyward-" + service)
                .addLabel("org.opencontainers.image.version", ImageReference.parse(imageName).getQualifier())
                .setCreationTime(Instant.EPOCH);
        image.containerize(Containerizer.to(TarImage.at(tar).named(imageName))
                .setApplicationLayersCache(outDir.resolve("cache"))
                .setBaseImageLayersCache(outDir.resolve("cache"))
                .setOfflineMode(true)
                .setToolName("keyward-images")
                .addEventHandler(LogEvent.class, e -> {
                    if (e.getLevel() == LogEvent.Level.ERROR || e.getLevel() == LogEvent.Level.WARN) {
                        System.err.println(e.getMessage());
                    }
                }));
        return tar;
    }

    /** The service's HTTP port, from its configuration. */
    int httpPort(String service) throws IOException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(projectRoot.resolve(service).resolve("src/main/resources/application.properties"))) {
            props.load(in);
        }
        return Integer.parseInt(props.getProperty("quarkus.http.port", "8080").trim());
    }

    /**
     * Adds a file or folder tree with its own permission bits. Symbolic links are stored as the file
     * they point to (Jib layers hold no links); an absolute link target is looked up inside the tree,
     * never on the build machine.
     */
    static void addTree(FileEntriesLayer.Builder layer, Path source, AbsoluteUnixPath target) throws IOException {
        Path root = source;
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.sorted().toList();
        }
        for (Path path : paths) {
            Path content = path;
            if (Files.isSymbolicLink(path)) {
                content = resolveInside(root, path);
                if (content == null || Files.isDirectory(content)) {
                    continue;
                }
            }
            String relative = root.relativize(path).toString();
            AbsoluteUnixPath into = relative.isEmpty() ? target : target.resolve(relative);
            if (into.toString().equals("/")) {
                continue;
            }
            FilePermissions mode = FilePermissions.fromPosixFilePermissions(
                    Files.getPosixFilePermissions(content, LinkOption.NOFOLLOW_LINKS));
            layer.addEntry(content, into, mode, Instant.ofEpochSecond(1));
        }
    }

    private static Path resolveInside(Path root, Path link) throws IOException {
        Path current = link;
        for (int hops = 0; hops < 16 && Files.isSymbolicLink(current); hops++) {
            Path target = Files.readSymbolicLink(current);
            current = target.isAbsolute()
                    ? root.resolve(target.toString().substring(1)).normalize()
                    : current.getParent().resolve(target).normalize();
        }
        return Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(current) ? current : null;
    }
}
