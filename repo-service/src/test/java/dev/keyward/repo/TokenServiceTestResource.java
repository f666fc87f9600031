package dev.keyward.repo;

import dev.keyward.localstack.ServiceProcess;
import dev.keyward.testsupport.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real token-service, started once per test JVM as a process from its packaged build
 * ({@code token-service/target/quarkus-app}), on the shared PostgreSQL and Kafka, bootstrapping org
 * {@value #ORG} with an admin token. repo-service under test introspects against it.
 */
public class TokenServiceTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String ORG = TokenAuthority.ORG;
    public static final String INTERNAL_SECRET = "repo-service-test-internal-secret";

    private static ServiceProcess tokenService;
    private static String adminToken;
    private static String operatorToken;

    @Override
    public Map<String, String> start() {
        ensureStarted();
        return Map.of(
                "keyward.token-service.url", tokenService.baseUrl(),
                "keyward.internal.secret", INTERNAL_SECRET);
    }

    static synchronized void ensureStarted() {
        if (tokenService != null) {
            return;
        }
        try {
            Path home = Files.createTempDirectory("keyward-token-service");
            Path tokenFile = home.resolve("acme-admin.token");
            Path operatorFile = home.resolve("operator.token");
            tokenService = ServiceProcess.builder("token-service")
                    .database(SharedInfrastructure.postgres("keyward_token_for_repo_tests"))
                    .kafka(SharedInfrastructure.kafkaBootstrapServers())
                    .env("KEYWARD_PEPPER", "repo-service-tests-pepper-0123456789")
                    .env("KEYWARD_SIGNING_KEYS_SECRET", "repo-service-tests-signing-keys-secret-0123456789")
                    .env("KEYWARD_INTERNAL_SECRET", INTERNAL_SECRET)
                    .env("KEYWARD_BOOTSTRAP_ORG", ORG)
                    .env("KEYWARD_BOOTSTRAP_TOKEN_FILE", tokenFile.toString())
                    .env("KEYWARD_BOOTSTRAP_OPERATOR_TOKEN_FILE", operatorFile.toString())
                    .env("KEYWARD_JSON_LOGS", "false")
                    .logDir(home)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(tokenService::close, "token-service-stop"));
            if (!Files.exists(tokenFile)) {
                throw new IllegalStateException("token-service did not bootstrap org " + ORG + " (is token-service/target/quarkus-app"
                        + " an up-to-date package?); see " + tokenService.log());
            }
            adminToken = Files.readString(tokenFile).strip();
            operatorToken = Files.readString(operatorFile).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token-service as the tests talk to it. */
    public static TokenServiceApi api() {
        ensureStarted();
        return new TokenServiceApi(tokenService.baseUrl(), adminToken);
    }

    /** The token-service as a platform operator talks to it (orgs:read, orgs:write). */
    public static TokenServiceApi operator() {
        ensureStarted();
        return new TokenServiceApi(tokenService.baseUrl(), operatorToken);
    }

    @Override
    public void stop() {
        // Shared by every test class of this JVM; stopped with it.
    }
}
