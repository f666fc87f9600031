package dev.keyward.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keyward.localstack.EmbeddedPostgresServer;
import dev.keyward.localstack.LocalStack;
import io.restassured.path.json.JsonPath;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stops while token changes keep coming, then starts again on the same port and data.
 * Every service must report not-ready while it is gone and become ready again by itself; every
 * request must have applied completely (201/200, with its audit event) or not at all (an error
 * answer, and no trace of it).
 */
class PostgresRestartTests {

    private static final String REPOS = "fault-pg";

    private final SystemStack system = SystemStack.shared();
    private final EmbeddedPostgresServer postgres = system.stack().postgres();
    private final List<String> services = List.of(system.stack().tokenServiceUrl(), system.stack().repoServiceUrl(),
            system.stack().auditServiceUrl());

    /** One round of the writer as the client saw it: a token create (and revoke when it worked), a repository create. */
    record Attempt(String name, SystemStack.HttpAnswer create, SystemStack.HttpAnswer revoke, String repo,
                   SystemStack.HttpAnswer repoCreate, boolean duringOutage) {
        boolean created() {
            return create.status() == 201;
        }
    }

    @AfterEach
    void postgresBack() {
        postgres.restart();
    }

    @Test
    void servicesGoNotReadyRecoverByThemselvesAndNoRequestIsHalfApplied() throws Exception {
        JsonPath creatorToken = system.createCreator("pg-restart-creator", REPOS + "/*");
        String creator = creatorToken.getString("token");
        List<Attempt> attempts = new CopyOnWriteArrayList<>();
        Duration notReadyAfter;
        Duration readyAfter;
        AtomicBoolean outage = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> writing = writer.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
                String name = "pg-" + i;
                String repo = REPOS + "/r" + i;
                boolean during = outage.get();
                SystemStack.HttpAnswer create = system.createReadToken(creator, name, REPOS + "/*");
                SystemStack.HttpAnswer revoke = create.status() == 201
                        ? SystemStack.send("DELETE", system.stack().tokenServiceUrl() + "/v1/tokens/" + create.json().getString("id"), creator, null)
                        : null;
                SystemStack.HttpAnswer repoCreate = SystemStack.send("POST", system.stack().repoServiceUrl() + "/v1/repos",
                        creator, "{\"id\":\"" + repo + "\"}");
                Attempt attempt = new Attempt(name, create, revoke, repo, repoCreate, during || outage.get());
                attempts.add(attempt);
                if (!attempt.created()) {
                    Thread.sleep(50); // pacing: refusals are quick, and each one is checked afterwards
                }
            }
            return null;
        });
        String jwt = customerJwt();
        String listUrl = system.stack().repoServiceUrl() + "/v1/repos?prefix=" + REPOS;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> attempts.stream().filter(Attempt::created).count() >= 3);
            // A customer-signed JWT is verified with the org's cached public keys, so it reaches
            // repo-service's own database even while token-service cannot answer.
            assertThat(SystemStack.get(listUrl, jwt).status()).isEqualTo(200);

            outage.set(true);
            long stopped = System.nanoTime();
            postgres.stop();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(services).allSatisfy(url -> assertThat(system.readiness(url)).as(url).isEqualTo(503)));
            notReadyAfter = Duration.ofNanos(System.nanoTime() - stopped);
            SystemStack.HttpAnswer listing = SystemStack.get(listUrl, jwt);
            assertThat(listing.status()).as(listing.body()).isEqualTo(503);
            assertThat(listing.json().getString("error")).isEqualTo("unavailable");
            assertThat(listing.headers().firstValue("Retry-After")).hasValue("1");
            int failuresBefore = failures(attempts);
            await().atMost(Duration.ofSeconds(30)).until(() -> failures(attempts) >= failuresBefore + 3);

            long restarted = System.nanoTime();
            postgres.restart();
            outage.set(false);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(services).allSatisfy(url -> assertThat(system.readiness(url)).as(url).isEqualTo(200)));
            readyAfter = Duration.ofNanos(System.nanoTime() - restarted);
            assertThat(SystemStack.get(listUrl, jwt).status()).isEqualTo(200);
            int doneBefore = attempts.size();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    attempts.subList(doneBefore, attempts.size()).stream().filter(Attempt::created).count() >= 3);
        } finally {
            stop.set(true);
            writing.get(60, TimeUnit.SECONDS);
            writer.shutdown();
        }

        System.out.printf("[reliability] PostgreSQL restart: all services not ready %d ms after the stop, ready again"
                        + " %d ms after the start; %d rounds, %d token creates refused with 503, %d repository creates refused%n",
                notReadyAfter.toMillis(), readyAfter.toMillis(), attempts.size(), failures(attempts),
                attempts.stream().filter(a -> a.repoCreate().status() != 201).count());
        assertThat(attempts).filteredOn(Attempt::duringOutage).filteredOn(a -> !a.created()).isNotEmpty();
        for (Attempt a : attempts) {
            assertThat(a.repoCreate().status()).as(() -> a.repo() + ": " + a.repoCreate().body() + "\n"
                    + system.unexpectedFailures("repo-service")).isIn(201, 503);
            Path onDisk = system.stack().home().resolve("repos").resolve(LocalStack.BOOTSTRAP_ORG).resolve(a.repo() + ".git");
            SystemStack.HttpAnswer read = SystemStack.get(system.stack().repoServiceUrl() + "/v1/repos/" + a.repo(), creator);
            if (a.repoCreate().status() == 201) {
                assertThat(read.status()).as(a.repo()).isEqualTo(200);
                assertThat(onDisk).isDirectory();
            } else {
                assertThat(a.repoCreate().json().getString("error")).isEqualTo("unavailable");
                assertThat(read.status()).as(a.repo()).isEqualTo(404);
                assertThat(onDisk).doesNotExist();
            }
            assertThat(a.create().status()).as(() -> a.name() + ": " + a.create().body() + "\n"
                    + system.unexpectedFailures("token-service")).isIn(201, 503);
            if (a.revoke() != null) {
                assertThat(a.revoke().status()).as(() -> "revoke " + a.name() + ": " + a.revoke().body() + "\n"
                        + system.unexpectedFailures("token-service")).isIn(200, 503);
            }
            if (!a.created() || (a.revoke() != null && a.revoke().status() != 200)) {
                SystemStack.HttpAnswer failed = a.revoke() != null ? a.revoke() : a.create();
                assertThat(failed.json().getString("error")).isEqualTo("unavailable");
                assertThat(failed.json().getString("message")).isNotBlank();
            }
        }

        // Nothing half-applied: what failed left no trace, what succeeded is stored and in the trail.
        Map<String, JsonPath> stored = tokensByName(creator);
        List<String> expectedCreated = new ArrayList<>();
        for (Attempt a : attempts) {
            if (!a.created()) {
                assertThat(stored).as("a create that answered %d", a.create().status()).doesNotContainKey(a.name());
                continue;
            }
            JsonPath token = stored.get(a.name());
            assertThat(token).as("%s answered 201", a.name()).isNotNull();
            boolean revoked = a.revoke().status() == 200;
            assertThat(token.getString("revoked_at") != null).as("%s revoked", a.name()).isEqualTo(revoked);
            if (!revoked) {
                system.revoke(creator, token.getString("id"));
            }
            expectedCreated.add(token.getString("id"));
        }
        String actor = creatorToken.getString("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String type : List.of("token:created", "token:revoked")) {
                assertThat(system.auditEvents(Map.of("type", type, "actor", actor))).extracting(e -> e.get("subject"))
                        .as(type).containsExactlyInAnyOrderElementsOf(expectedCreated);
            }
        });
    }

    /** An org-wide {@code org:read} JWT signed with a key registered for the org just now (RS256). */
    private String customerJwt() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        String kid = "pg-restart-" + System.nanoTime();
        SystemStack.HttpAnswer registered = SystemStack.send("POST",
                system.stack().tokenServiceUrl() + "/v1/orgs/" + LocalStack.BOOTSTRAP_ORG + "/keys", system.adminToken(),
                "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"alg\":\"RS256\",\"use\":\"sig\",\"n\":\""
                        + base64Url(unsigned(pub.getModulus())) + "\",\"e\":\"" + base64Url(unsigned(pub.getPublicExponent())) + "\"}");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        long now = System.currentTimeMillis() / 1000;
        String signingInput = base64Url(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}").getBytes(StandardCharsets.UTF_8))
                + "." + base64Url(("{\"iss\":\"" + LocalStack.BOOTSTRAP_ORG + "\",\"sub\":\"pg-restart-agent\",\"scopes\":[\"org:read\"],"
                + "\"iat\":" + now + ",\"exp\":" + (now + 600) + "}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(pair.getPrivate());
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + base64Url(rs256.sign());
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static int failures(List<Attempt> attempts) {
        return (int) attempts.stream().filter(a -> !a.created()).count();
    }

    /** Every token (revoked ones too) the creator made, by name. */
    private Map<String, JsonPath> tokensByName(String creator) {
        Map<String, JsonPath> byName = new java.util.HashMap<>();
        String pageToken = null;
        do {
            String url = system.stack().tokenServiceUrl() + "/v1/tokens?state=all&page_size=200"
                    + (pageToken == null ? "" : "&page_token=" + pageToken);
            SystemStack.HttpAnswer page = SystemStack.get(url, creator);
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            JsonPath json = page.json();
            int count = json.getList("tokens").size();
            for (int i = 0; i < count; i++) {
                JsonPath token = JsonPath.from(page.body()).setRootPath("tokens[" + i + "]");
                byName.put(token.getString("name"), token);
            }
            pageToken = json.getString("next_page_token");
        } while (pageToken != null);
        return byName;
    }
}
