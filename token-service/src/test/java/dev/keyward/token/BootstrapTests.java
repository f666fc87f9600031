package dev.keyward.token;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.testsupport.KafkaTestResource;
import dev.keyward.testsupport.PostgresTestResource;
import dev.keyward.token.service.TokenService;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The local stack's org bootstrap (keyward.bootstrap.org=demo in the test profile). */
@QuarkusTest
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "keyward_token"))
@QuarkusTestResource(KafkaTestResource.class)
class BootstrapTests {

    static final Path TOKEN_FILE = Path.of("target/bootstrap/demo-admin.token");

    @Inject
    TokenService tokens;

    @Inject
    TestOrgs orgs;

    @Test
    void startupCreatedTheDemoOrgAndAPrivateTokenFile() throws Exception {
        assertThat(Files.getPosixFilePermissions(TOKEN_FILE))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        String key = Files.readString(TOKEN_FILE).strip();
        assertThat(key).startsWith("kw_dev_o_");
        assertThat(ApiKeyFormat.parse(key)).isPresent();
        given().header("x-api-key", key).get("/v1/tokens").then().statusCode(200);
        var claims = LifecycleSupport.introspect(key);
        assertThat(claims.getString("org")).isEqualTo("demo");
        assertThat(claims.getList("scopes.org")).containsExactlyInAnyOrder("org:read", "token:write", "audit:read", "org:admin");
        assertThat(claims.getList("scopes.'repos:*'")).containsExactlyInAnyOrder("git:read", "git:write", "repo:write");
    }

    @Test
    void anExistingOrgIsLeftAlone() throws Throwable {
        String before = Files.readString(TOKEN_FILE);
        Boolean created = VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrap("demo", key -> {
            throw new AssertionError("no key for an existing org");
        }));
        assertThat(created).isFalse();
        assertThat(Files.readString(TOKEN_FILE)).isEqualTo(before);
        assertThat(orgs.count("select count(*) from tokens where org_id = 'demo' and created_by_type = 'system'")).isEqualTo(1);
    }

    @Test
    void replicasStartingAtOnceCreateOneOrgAndOneToken() throws Exception {
        String org = "race-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Boolean>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(() -> {
                    try {
                        return VertxContextSupport.subscribeAndAwait(() -> tokens.bootstrap(org, key -> { }));
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            int winners = 0;
            for (Future<Boolean> f : pool.invokeAll(starts)) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(orgs.count("select count(*) from orgs where id = ?", org)).isEqualTo(1);
        assertThat(orgs.count("select count(*) from tokens where org_id = ?", org)).isEqualTo(1);
        assertThat(orgs.count("select count(*) from event_outbox where org_id = ?", org)).isEqualTo(1);
    }
}
