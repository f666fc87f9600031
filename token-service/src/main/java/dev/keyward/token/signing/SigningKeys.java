package dev.keyward.token.signing;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import dev.keyward.token.repository.AdvisoryLock;
import dev.keyward.token.repository.SigningKeyEntity;
import dev.keyward.token.repository.SigningKeyRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keyward's own signing keys (EC P-256, ES256) for the tokens token exchange issues. Stored in
 * {@code signing_keys}, the private key sealed by {@link KeyCipher} under
 * {@code keyward.signing-keys.secret}; without that secret there are no keys, token exchange is
 * off and the JWKS is empty. One key signs at a time; the rotation job replaces it, and a retired
 * key stays published until every token it signed (on any replica) has expired.
 */
@ApplicationScoped
public class SigningKeys {

    /** How long a replica keeps signing with the key it read: a retired key may sign this much longer. */
    static final Duration CACHE_FOR = Duration.ofSeconds(60);
    /** The clock skew verifiers allow on {@code exp}. */
    static final Duration VERIFIER_SKEW = Duration.ofSeconds(60);
    /** Beyond the token lifetime and skew, a retired key stays published this long: twice {@link #CACHE_FOR}. */
    static final Duration CACHE_MARGIN = CACHE_FOR.multipliedBy(2);
    /** A key no longer published is deleted this long after (a late reader of an old JWKS loses nothing). */
    static final Duration DELETE_AFTER = Duration.ofDays(1);

    /** "kwsigkey": held while the first (or a rotated) key is made, so replicas never make two. */
    private static final long CREATE_LOCK = 0x6b777369676b6579L;
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final DateTimeFormatter KID_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private final KeyCipher cipher;
    private final SigningKeyRepository repository;
    private final AdvisoryLock lock;
    private final Clock clock;
    private final Duration rotateAfter;
    private final Duration maxTokenTtl;

    private record Cached(SigningKey key, Instant readAt) {
    }

    private volatile Cached cached;

    public SigningKeys(@ConfigProperty(name = KeyCipher.PROPERTY) Optional<String> secret,
                       @ConfigProperty(name = "keyward.signing-keys.rotate-after", defaultValue = "30d") Duration rotateAfter,
                       @ConfigProperty(name = "keyward.exchange.max-ttl") Optional<Duration> maxTokenTtl,
                       SigningKeyRepository repository, AdvisoryLock lock, Clock clock) {
        // A secret too short refuses the start (KeyCipher says why); none at all turns exchange off.
        this.cipher = secret.filter(s -> !s.isBlank()).map(KeyCipher::new).orElse(null);
        this.rotateAfter = rotateAfter;
        this.maxTokenTtl = maxTokenTtl.orElse(Duration.ofSeconds(ExchangedToken.DEFAULT_MAX_TTL_SECONDS));
        this.repository = repository;
        this.lock = lock;
        this.clock = clock;
    }

    // Built at start, so a bad secret stops the service at once rather than at the first exchange.
    void onStart(@Observes StartupEvent event) {
        if (!enabled()) {
            LOG.infof("token exchange is off: %s (%s) is not set", KeyCipher.PROPERTY, KeyCipher.ENVIRONMENT);
        }
    }

    /** Whether a secret is configured, so keys can be stored and token exchange can sign. */
    public boolean enabled() {
        return cipher != null;
    }

    /**
     * The key to sign with: the newest one not retired, read at most {@link #CACHE_FOR} ago. The
     * first call ever creates it, under a cluster-wide lock, so concurrent first calls share one key.
     *
     * @return fails with {@link ApiException} 503 {@code exchange_disabled} when no secret is configured
     */
    public Uni<SigningKey> current() {
        if (!enabled()) {
            return Uni.createFrom().failure(disabled());
        }
        Instant now = clock.instant();
        Cached c = cached;
        // A clock set back (tests move it) reads again rather than trusting an entry from the "future".
        if (c != null && !now.isBefore(c.readAt()) && now.isBefore(c.readAt().plus(CACHE_FOR))) {
            return Uni.createFrom().item(c.key());
        }
        return Panache.withSession(repository::newestActive)
                .flatMap(row -> row != null ? Uni.createFrom().item(row)
                        : Panache.withTransaction(() -> lock.holdUntilCommit(CREATE_LOCK)
                                .chain(repository::newestActive)
                                .chain(again -> again != null ? Uni.createFrom().item(again) : create(now))))
                .map(this::open)
                .invoke(key -> cached = new Cached(key, now));
    }

    /**
     * The public JWKs verifiers need now ({@code kty, crv, x, y, kid, alg, use}): the signing key
     * and every retired key still published. Empty when exchange is off or before the first signature.
     */
    public Uni<List<Map<String, Object>>> publishedJwks() {
        if (!enabled()) {
            return Uni.createFrom().item(List.of());
        }
        Instant now = clock.instant();
        return Panache.withSession(() -> repository.publishedAt(now))
                .map(rows -> rows.stream().<Map<String, Object>>map(row -> new LinkedHashMap<>(row.publicJwk)).toList());
    }

    /** What one rotation did. */
    public record Rotation(long created, long retired) {
    }

    /**
     * Rotation, for the job: when the signing key is older than {@code keyward.signing-keys.rotate-after},
     * a new key takes over and the old one is retired, published until every token it may have
     * signed has expired. Nothing when exchange is off or no key exists yet (the first signature makes one).
     */
    public Uni<Rotation> rotateIfDue(Instant now) {
        if (!enabled()) {
            return Uni.createFrom().item(new Rotation(0, 0));
        }
        return Panache.withTransaction(() -> lock.holdUntilCommit(CREATE_LOCK)
                        .chain(repository::newestActive)
                        .chain(current -> {
                            if (current == null || current.createdAt.isAfter(now.minus(rotateAfter))) {
                                return Uni.createFrom().item(new Rotation(0, 0));
                            }
                            return repository.retireActive(now, publishUntil(now))
                                    .chain(retired -> create(now).replaceWith(new Rotation(1, retired)));
                        }))
                // This replica signs with the new key at once; the others within CACHE_FOR.
                .invoke(rotation -> {
                    if (rotation.created() > 0) {
                        cached = null;
                    }
                });
    }

    /** Deletes the keys whose publication ended more than a day before {@code now}; how many. */
    public Uni<Long> deleteUnpublished(Instant now) {
        return Panache.withTransaction(() -> repository.deleteUnpublishedBefore(now.minus(DELETE_AFTER)));
    }

    /**
     * Until when a key retired at {@code retiredAt} must stay published: another replica may sign
     * with it for {@link #CACHE_FOR} more, its tokens live up to {@code keyward.exchange.max-ttl},
     * and verifiers allow {@link #VERIFIER_SKEW} on {@code exp}.
     */
    Instant publishUntil(Instant retiredAt) {
        return retiredAt.plus(maxTokenTtl).plus(VERIFIER_SKEW).plus(CACHE_MARGIN);
    }

    static ApiException disabled() {
        return new ApiException(503, "exchange_disabled",
                "token exchange needs " + KeyCipher.PROPERTY + " (" + KeyCipher.ENVIRONMENT + ")");
    }

    private Uni<SigningKeyEntity> create(Instant now) {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 unavailable", e);
        }
        SigningKeyEntity row = new SigningKeyEntity();
        row.kid = "kw-" + KID_DATE.format(now) + "-" + random(8);
        row.algorithm = ExchangedToken.ALGORITHM;
        row.publicJwk = publicJwk(row.kid, (ECPublicKey) pair.getPublic());
        byte[] pkcs8 = pair.getPrivate().getEncoded();
        row.privateKey = cipher.seal(row.kid, pkcs8);
        Arrays.fill(pkcs8, (byte) 0);
        row.createdAt = now.truncatedTo(ChronoUnit.MICROS);
        LOG.infof("created signing key %s", row.kid);
        return repository.persist(row);
    }

    private SigningKey open(SigningKeyEntity row) {
        byte[] pkcs8 = cipher.open(row.kid, row.privateKey);
        try {
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new SigningKey(row.kid, key, row.createdAt);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing key " + row.kid + " is not an EC private key", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static Map<String, String> publicJwk(String kid, ECPublicKey key) {
        Map<String, String> jwk = new LinkedHashMap<>();
        jwk.put("kty", "EC");
        jwk.put("crv", "P-256");
        jwk.put("x", coordinate(key.getW().getAffineX()));
        jwk.put("y", coordinate(key.getW().getAffineY()));
        jwk.put("kid", kid);
        jwk.put("alg", ExchangedToken.ALGORITHM);
        jwk.put("use", "sig");
        return jwk;
    }

    // A JWK coordinate is exactly 32 bytes for P-256: BigInteger may add a sign byte or drop leading zeros.
    private static String coordinate(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] fixed = new byte[32];
        int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, fixed, 32 - length, length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
    }

    private static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = BASE62[RANDOM.nextInt(BASE62.length)];
        }
        return new String(out);
    }
}
