package dev.keyward.token.config;

import dev.keyward.token.service.TokenService;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * For the local stack: when {@code keyward.bootstrap.org} is set and that org does not exist yet,
 * creates it with an org admin token and writes the raw key to {@code keyward.bootstrap.token-file}
 * (mode 0600). The key is never logged. When the org exists nothing happens. Likewise, when
 * {@code keyward.bootstrap.operator-token-file} is set, creates the platform operators' org with an
 * operator key ({@code orgs:read}, {@code orgs:write}) written to that file.
 */
@ApplicationScoped
public class OrgBootstrap {

    private static final Logger LOG = Logger.getLogger(OrgBootstrap.class);

    private final TokenService tokens;
    private final Optional<String> org;
    private final Optional<String> tokenFile;
    private final Optional<String> operatorTokenFile;

    public OrgBootstrap(TokenService tokens,
                        @ConfigProperty(name = "keyward.bootstrap.org") Optional<String> org,
                        @ConfigProperty(name = "keyward.bootstrap.token-file") Optional<String> tokenFile,
                        @ConfigProperty(name = "keyward.bootstrap.operator-token-file") Optional<String> operatorTokenFile) {
        this.tokens = tokens;
        this.org = org;
        this.tokenFile = tokenFile;
        this.operatorTokenFile = operatorTokenFile;
    }

    void onStart(@Observes StartupEvent event) throws Throwable {
        if (operatorTokenFile.isPresent() && !operatorTokenFile.get().isBlank()) {
            Path file = Path.of(operatorTokenFile.get());
            boolean created = VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrapOperator(key -> writeKey(file, key)));
            LOG.infof(created ? "bootstrap: created a platform operator key in %s" : "bootstrap: the platform operators exist, nothing to do", file);
        }
        if (org.isEmpty() || org.get().isBlank()) {
            return;
        }
        Path file = Path.of(tokenFile.orElseThrow(() -> new IllegalStateException(
                "keyward.bootstrap.token-file must be set with keyward.bootstrap.org")));
        boolean created = VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrap(org.get(), key -> writeKey(file, key)));
        if (created) {
            LOG.infof("bootstrap: created org %s; its admin token is in %s", org.get(), file);
        } else {
            LOG.infof("bootstrap: org %s exists, nothing to do", org.get());
        }
    }

    /** Writes the key to a new 0600 file next to {@code file}, then moves it into place. */
    static void writeKey(Path file, String key) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".bootstrap", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, key + "\n", StandardCharsets.US_ASCII);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap token file", e);
        }
    }
}
