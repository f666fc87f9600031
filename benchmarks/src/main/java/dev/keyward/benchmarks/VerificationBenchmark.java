package dev.keyward.benchmarks;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Introspection;
import dev.keyward.contract.Permission;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import dev.keyward.verification.Access;
import dev.keyward.verification.CredentialForm;
import dev.keyward.verification.PresentedCredential;
import dev.keyward.verification.RequestAuthorizer;
import dev.keyward.verification.TokenVerifier;
import dev.keyward.verification.Verification;
import dev.keyward.verification.VerifiedPrincipal;
import dev.keyward.verification.VerifierSettings;
import dev.keyward.verification.quarkus.EventSink;
import dev.keyward.verification.quarkus.VerificationEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The verification hot path inside one JVM, with the lookups answered from memory (no token-service,
 * no Kafka), so each number is the verifier's own cost:
 * <ul>
 *   <li>{@code checksumRejection} — a key with a wrong checksum, refused offline;</li>
 *   <li>{@code apiKeyCacheHit} / {@code authorizeApiKeyCacheHit} — a cached API key, alone and with
 *       header extraction and the scope decision (what a request pays; target under 2 µs);</li>
 *   <li>{@code jwtCacheHit} — a cached customer JWT;</li>
 *   <li>{@code jwtVerifyEs256} / {@code jwtVerifyRs256} — a JWT verified from scratch (the cold miss:
 *       parse, signature, claims), with the JWT cache switched off;</li>
 *   <li>{@code es256SignatureOnly} — the JDK's own SHA256withECDSA check of that ES256 signature, without
 *       jose4j: the provider's share of the cold miss (it differs by JDK release), and
 *       {@code es256SignatureBouncyCastle}, the same with Bouncy Castle's provider;</li>
 *   <li>{@code es256SignJdk} / {@code es256SignBouncyCastle} — an ES256 signature as token exchange makes
 *       one, with the JDK's provider and with Bouncy Castle's (which token-service signs with);</li>
 *   <li>{@code emitTokenUsed} — what an allowed request adds for its {@code token:used} event
 *       (built and queued; the events thread drains into a sink that only discards);</li>
 *   <li>{@code drainTokenUsed} — the events thread's own cost per event: a burst of queued
 *       {@code token:used} events handed to a sink that discards them. Its inverse bounds the events
 *       per second one service can hand to Kafka (the producer's {@code send} comes on top).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VerificationBenchmark {

    static final String ORG = "bench";
    static final String REPO = "team/hello";
    static final String CLIENT_IP = "10.1.2.3";
    static final Access READ = Access.repo(Permission.GIT_READ, REPO);

    String apiKey;
    String badChecksumKey;
    String bearerHeader;
    String es256Jwt;
    String rs256Jwt;
    java.security.interfaces.ECPublicKey es256Public;
    java.security.PrivateKey es256Private;
    java.security.PrivateKey es256PrivateBouncyCastle;
    byte[] es256SigningInput;
    byte[] es256DerSignature;
    TokenVerifier cachingVerifier;
    TokenVerifier uncachedJwtVerifier;
    RequestAuthorizer authorizer;

    @Setup
    public void setUp() throws JoseException, java.io.IOException, java.security.GeneralSecurityException {
        apiKey = ApiKeyFormat.generate(ApiKeyFormat.Environment.PROD, TokenKind.REPO);
        char last = apiKey.charAt(apiKey.length() - 1);
        badChecksumKey = apiKey.substring(0, apiKey.length() - 1) + (last == 'A' ? 'B' : 'A');
        bearerHeader = "Bearer " + apiKey;

        EllipticCurveJsonWebKey ec = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        ec.setKeyId("ec-1");
        RsaJsonWebKey rsa = RsaJwkGenerator.generateJwk(2048);
        rsa.setKeyId("rsa-1");
        es256Jwt = CustomerJwts.sign(ec, ORG, REPO);
        rs256Jwt = CustomerJwts.sign(rsa, ORG, REPO);
        // The same ES256 signature for the JDK's own verifier alone: what the provider costs without jose4j.
        es256Public = ec.getECPublicKey();
        es256Private = ec.getPrivateKey();
        es256PrivateBouncyCastle = java.security.KeyFactory.getInstance("EC", BOUNCY_CASTLE)
                .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(es256Private.getEncoded()));
        String[] parts = es256Jwt.split("\\.");
        es256SigningInput = (parts[0] + "." + parts[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        es256DerSignature = org.jose4j.jws.EcdsaUsingShaAlgorithm.convertConcatenatedToDer(
                java.util.Base64.getUrlDecoder().decode(parts[2]));
        List<Map<String, Object>> orgKeys = List.of(ec.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY),
                rsa.toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));

        Introspection active = new Introspection(true, null, "tok_bench", ORG, "ci", "repo", "prod",
                Map.of("repos:team/*", List.of("git:read")), ApiKeyFormat.prefixOf(apiKey),
                Instant.now().plus(Duration.ofDays(30)), List.of());
        // A one-hour TTL keeps the measured entries cached; the production TTL only decides how often a miss happens.
        VerifierSettings cached = new VerifierSettings(Duration.ofHours(1), Duration.ofMillis(500), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofSeconds(1), 10_000);
        VerifierSettings noJwtCache = new VerifierSettings(Duration.ofHours(1), Duration.ZERO, Duration.ZERO,
                Duration.ofHours(1), Duration.ofSeconds(1), 10_000);
        cachingVerifier = cached.build(key -> CompletableFuture.completedFuture(active),
                org -> CompletableFuture.completedFuture(orgKeys), Clock.systemUTC());
        uncachedJwtVerifier = noJwtCache.build(key -> CompletableFuture.completedFuture(active),
                org -> CompletableFuture.completedFuture(orgKeys), Clock.systemUTC());
        authorizer = new RequestAuthorizer(cachingVerifier, null);
        // Fill the caches (and the org key cache) and prove every path gives the expected answer.
        expect(verify(cachingVerifier, apiKey), true);
        expect(verify(cachingVerifier, es256Jwt), true);
        expect(verify(uncachedJwtVerifier, es256Jwt), true);
        expect(verify(uncachedJwtVerifier, rs256Jwt), true);
        if (!es256SignatureOnly() || !es256SignatureBouncyCastle()) {
            throw new IllegalStateException("the JDK does not verify the ES256 signature");
        }
        expect(verify(cachingVerifier, badChecksumKey), false);
    }

    @Benchmark
    public Verification checksumRejection() {
        return verify(cachingVerifier, badChecksumKey);
    }

    @Benchmark
    public Verification apiKeyCacheHit() {
        return verify(cachingVerifier, apiKey);
    }

    @Benchmark
    public RequestAuthorizer.Decision authorizeApiKeyCacheHit() {
        return authorizer.authorize(PresentedCredential.extract(bearerHeader, null), CLIENT_IP, READ)
                .toCompletableFuture().join();
    }

    @Benchmark
    public Verification jwtCacheHit() {
        return verify(cachingVerifier, es256Jwt);
    }

    @Benchmark
    public Verification jwtVerifyEs256() {
        return verify(uncachedJwtVerifier, es256Jwt);
    }

    /** The JDK's SHA256withECDSA verification of the same token's signature: the provider's share of {@code jwtVerifyEs256}. */
    @Benchmark
    public boolean es256SignatureOnly() throws java.security.GeneralSecurityException {
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(es256Public);
        verifier.update(es256SigningInput);
        return verifier.verify(es256DerSignature);
    }

    private static final java.security.Provider BOUNCY_CASTLE = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** The same check with Bouncy Castle's provider: whether another provider would shorten the cold miss. */
    @Benchmark
    public boolean es256SignatureBouncyCastle() throws java.security.GeneralSecurityException {
        java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA", BOUNCY_CASTLE);
        verifier.initVerify(es256Public);
        verifier.update(es256SigningInput);
        return verifier.verify(es256DerSignature);
    }

    /**
     * Signing what token exchange signs (an ES256 JWT's signing input) with the JDK's SHA256withECDSA:
     * on Java 17 its P-256 multiplication has no precomputed table for the base point.
     */
    @Benchmark
    public byte[] es256SignJdk() throws java.security.GeneralSecurityException {
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
        signer.initSign(es256Private);
        signer.update(es256SigningInput);
        return signer.sign();
    }

    /**
     * The same signature as token-service makes it: Bouncy Castle's provider (a fixed-point comb for the
     * base point), a key in its own form, r and s as JWS wants them.
     */
    @Benchmark
    public byte[] es256SignBouncyCastle() throws java.security.GeneralSecurityException {
        java.security.Signature signer = java.security.Signature.getInstance("SHA256withPLAIN-ECDSA", BOUNCY_CASTLE);
        signer.initSign(es256PrivateBouncyCastle);
        signer.update(es256SigningInput);
        return signer.sign();
    }

    @Benchmark
    public Verification jwtVerifyRs256() {
        return verify(uncachedJwtVerifier, rs256Jwt);
    }

    @Benchmark
    public void emitTokenUsed(EmitState s) {
        s.events.used(s.principal, READ.operation(), REPO, CLIENT_IP, VerificationEvents.SUCCESS, null);
    }

    @Benchmark
    @OperationsPerInvocation(DrainState.BURST)
    public void drainTokenUsed(DrainState s) {
        s.releaseAndAwait();
    }

    /** A principal like the cached API key's, for the event benchmarks. */
    static VerifiedPrincipal benchPrincipal() {
        return new VerifiedPrincipal(ORG, "ci", "tok_bench", TokenKind.REPO,
                Scopes.parse(Map.of("repos:team/*", List.of("git:read"))), null, "kw_prod_r_ab", List.of(),
                CredentialForm.API_KEY, null);
    }

    /** An events buffer as large as a burst can ever fill, whose sink discards. */
    @State(Scope.Benchmark)
    public static class EmitState {
        VerificationEvents events;
        final VerifiedPrincipal principal = benchPrincipal();

        @Setup
        public void start() {
            events = new VerificationEvents("/keyward/bench", discarding(() -> { }), 2_000_000, Clock.systemUTC());
        }

        @TearDown
        public void stop() {
            events.close();
            if (events.dropped() > 0) {
                System.err.println("emitTokenUsed: " + events.dropped() + " events dropped (the measurement includes cheap drops)");
            }
        }
    }

    /**
     * Each invocation: with the sink held shut, queue {@link #BURST} events (not measured); then
     * measured, open the sink and wait until the events thread has handed all of them over.
     */
    @State(Scope.Thread)
    public static class DrainState {
        static final int BURST = 20_000;
        final VerifiedPrincipal principal = benchPrincipal();
        volatile boolean open;
        volatile long delivered;
        long target;
        VerificationEvents events;

        @Setup
        public void start() {
            events = new VerificationEvents("/keyward/bench", discarding(() -> {
                while (!open) {
                    LockSupport.parkNanos(50_000);
                }
                delivered++; // only the events thread writes it
            }), 2 * BURST, Clock.systemUTC());
        }

        @Setup(Level.Invocation)
        public void fill() {
            open = false;
            target = delivered + BURST;
            for (int i = 0; i < BURST; i++) {
                events.used(principal, READ.operation(), REPO, CLIENT_IP, VerificationEvents.SUCCESS, null);
            }
        }

        void releaseAndAwait() {
            open = true;
            while (delivered < target) {
                LockSupport.parkNanos(20_000);
            }
        }

        @TearDown
        public void stop() {
            open = true;
            events.close();
            if (events.dropped() > 0) {
                throw new IllegalStateException("drainTokenUsed: " + events.dropped() + " events dropped");
            }
        }
    }

    /**
     * A sink that runs {@code then} and discards the record. What the Kafka sink adds before
     * {@code send} is a record and a header; the JSON arrives encoded (by the request thread).
     */
    static EventSink discarding(Runnable then) {
        return (event, failures) -> {
            then.run();
            if (event.json().length == 0) {
                throw new IllegalStateException("empty event");
            }
        };
    }

    private static Verification verify(TokenVerifier verifier, String token) {
        return verifier.verify(token, CLIENT_IP).toCompletableFuture().join();
    }

    private static void expect(Verification v, boolean verified) {
        if ((v instanceof Verification.Verified) != verified) {
            throw new IllegalStateException("benchmark setup: expected " + (verified ? "verified" : "refused") + ", got " + v);
        }
    }
}
