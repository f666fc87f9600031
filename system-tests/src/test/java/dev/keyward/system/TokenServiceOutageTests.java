package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.TokenKind;
import dev.keyward.localstack.ServiceProcess;
import dev.keyward.testsupport.GitCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * repo-service while token-service (the introspection peer for API keys) is down or hung. The
 * verifier trusts a verified key for its cache TTL (750 ms) and no longer: after it, a request
 * with a key fails closed with 503 {@code unavailable}, whether the key was good or never issued;
 * a key with a wrong checksum is still refused with 401 without asking anyone.
 */
class TokenServiceOutageTests {

    private static final String REPOS = "fault-ts";
    private static final String REPO = REPOS + "/r";

    private static final SystemStack system = SystemStack.shared();
    private static String creator;
    private final ServiceProcess tokenService = system.stack().service("token-service");
    private final String neverIssued = ApiKeyFormat.generate(ApiKeyFormat.Environment.DEV, TokenKind.REPO);
    private String key;
    private String badChecksum;

    @BeforeAll
    static void repository() throws Exception {
        creator = system.createCreator("ts-outage-creator", REPOS + "/*").getString("token");
        system.createRepoWithCommit(creator, REPO);
    }

    @BeforeEach
    void keys() {
        key = system.createToken(creator, "ts-outage", "repo", Map.of("repos:" + REPOS + "/*", List.of("git:read")))
                .getString("token");
        char last = key.charAt(key.length() - 1);
        badChecksum = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');
        assertThat(status(key)).isEqualTo(200);
    }

    @AfterEach
    void tokenServiceBack() {
        tokenService.start();
    }

    @Test
    void aHungTokenServiceLetsCachedKeysWorkForTheTtlThenEveryKeyFailsClosed() throws Exception {
        try {
            // Within the TTL the cached answer serves the key: the paused token-service cannot answer.
            // Each attempt warms the cache just before the pause; an attempt only misses when the machine
            // stalls for most of the 750 ms between two requests.
            boolean servedFromCache = false;
            for (int attempt = 0; attempt < 5 && !servedFromCache; attempt++) {
                if (attempt > 0) {
                    tokenService.resume();
                }
                assertThat(status(key)).isEqualTo(200);
                tokenService.pause();
                servedFromCache = status(key) == 200;
            }
            assertThat(servedFromCache).as("a key verified just before is served from the cache").isTrue();

            // After the TTL: introspection is needed, times out (2 s), and the answer is a clear 503.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertUnavailable(key));
            assertUnavailable(key);
            assertUnavailable(neverIssued);
            assertRefusedOffline(badChecksum);
            assertGitSeesUnavailable(key);
        } finally {
            tokenService.resume();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(key)).isEqualTo(200));
        assertThat(status(neverIssued)).isEqualTo(401);
    }

    @Test
    void aStoppedTokenServiceMeansEveryKeyFailsClosedUntilItIsBack() throws Exception {
        tokenService.close();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertUnavailable(key));
        assertUnavailable(neverIssued);
        assertRefusedOffline(badChecksum);
        assertGitSeesUnavailable(key);

        tokenService.start();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status(key)).isEqualTo(200));
        assertThat(status(neverIssued)).isEqualTo(401);
    }

    private void assertUnavailable(String presented) {
        SystemStack.HttpAnswer answer = SystemStack.get(repoUrl(), presented);
        assertThat(answer.status()).as(answer.body()).isEqualTo(503);
        assertThat(answer.json().getString("error")).isEqualTo("unavailable");
        assertThat(answer.json().getString("message")).isNotBlank();
    }

    /** 401 {@code bad_checksum}, answered well within the 2 s introspection timeout: nobody was asked. */
    private void assertRefusedOffline(String presented) {
        SystemStack.HttpAnswer answer = SystemStack.get(repoUrl(), presented);
        assertThat(answer.status()).as(answer.body()).isEqualTo(401);
        assertThat(answer.json().getString("error")).isEqualTo("bad_checksum");
        assertThat(answer.took()).isLessThan(Duration.ofSeconds(2));
    }

    private void assertGitSeesUnavailable(String presented) throws Exception {
        Path work = Files.createTempDirectory(system.work(), "ts");
        GitCli.Result clone = system.git(work, "clone", system.gitUrl(presented, REPO), work.resolve("c").toString());
        assertThat(clone.exitCode()).isNotZero();
        assertThat(clone.output()).contains("503").contains("token service is unavailable");
    }

    private int status(String presented) {
        return SystemStack.get(repoUrl(), presented).status();
    }

    private String repoUrl() {
        return system.stack().repoServiceUrl() + "/v1/repos/" + REPO;
    }
}
