package dev.keyward.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A CI platform's OIDC issuer for the exchange benchmark, on loopback: its discovery document and
 * JWKS over plain HTTP (token-service caches the keys, so the issuer is off the measured path), and
 * RS256 job tokens as GitHub Actions shapes them (audience {@code keyward}, a {@code repo:…} subject,
 * {@code repository}, {@code ref}, {@code run_id}).
 */
final class WorkloadIssuer implements AutoCloseable {

    static final String AUDIENCE = "keyward";
    static final String SUBJECT = "repo:acme/app:ref:refs/heads/main";

    private final HttpServer server;
    private final RsaJsonWebKey key;

    private WorkloadIssuer(HttpServer server, RsaJsonWebKey key) {
        this.server = server;
        this.key = key;
    }

    static WorkloadIssuer start() throws IOException, JoseException {
        RsaJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("bench-ci-" + UUID.randomUUID().toString().substring(0, 8));
        key.setUse("sig");
        key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        WorkloadIssuer issuer = new WorkloadIssuer(server, key);
        server.createContext("/.well-known/openid-configuration", exchange -> issuer.answer(exchange,
                "{\"issuer\":\"" + issuer.url() + "\",\"jwks_uri\":\"" + issuer.url() + "/jwks\"}"));
        server.createContext("/jwks", exchange -> issuer.answer(exchange,
                "{\"keys\":[" + key.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}"));
        server.start();
        return issuer;
    }

    /** The issuer URL, the {@code iss} of its tokens. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A job token valid for ten minutes, with a run id of its own. */
    String jobToken(int run) throws JoseException {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(url());
        claims.setAudience(AUDIENCE);
        claims.setSubject(SUBJECT);
        claims.setIssuedAtToNow();
        claims.setNotBeforeMinutesInThePast(0);
        claims.setExpirationTimeMinutesInTheFuture(10);
        claims.setGeneratedJwtId();
        claims.setClaim("repository", "acme/app");
        claims.setClaim("ref", "refs/heads/main");
        claims.setClaim("run_id", String.valueOf(run));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setHeader("typ", "JWT");
        jws.setKey(key.getPrivateKey());
        return jws.getCompactSerialization();
    }

    private void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
