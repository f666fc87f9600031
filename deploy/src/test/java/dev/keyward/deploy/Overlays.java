package dev.keyward.deploy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The kustomizations under test, each rendered once per test run. */
final class Overlays {

    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path KUBERNETES = MODULE.resolve("kubernetes");
    static final String BASE = "base";
    static final String DEV = "overlays/dev";
    static final String PROD = "overlays/prod";
    /** prod with components/repo-service-rwx, a fixture under src/test/resources. */
    static final String PROD_RWX = "prod-rwx";
    /** prod with components/tracing, a fixture under src/test/resources. */
    static final String PROD_TRACING = "prod-tracing";

    static final List<String> ALL = List.of(BASE, DEV, PROD, PROD_RWX, PROD_TRACING);
    static final List<String> SERVICES = List.of("token-service", "repo-service", "audit-service");
    static final Map<String, String> DATABASES = Map.of(
            "token-service", "keyward_token", "repo-service", "keyward_repo", "audit-service", "keyward_audit");

    private static final Map<String, List<Manifest>> RENDERED = new ConcurrentHashMap<>();

    private Overlays() {
    }

    static Path dir(String overlay) {
        return overlay.equals(PROD_RWX) || overlay.equals(PROD_TRACING)
                ? MODULE.resolve("src/test/resources/overlays").resolve(overlay) : KUBERNETES.resolve(overlay);
    }

    static List<Manifest> render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, o -> Manifest.parseAll(Kustomize.render(dir(o))));
    }
}
