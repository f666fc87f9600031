package dev.keyward.token.signing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.contract.ApiException;
import dev.keyward.contract.ExchangedToken;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Signs the tokens token exchange issues: a compact JWS (ES256, {@code typ} JWT, {@code kid} of
 * the current {@link SigningKeys} key) over exactly the claims of an {@link ExchangedToken}.
 * <p>
 * Bouncy Castle signs, not the JDK: Java 17's SunEC multiplies the base point without a precomputed
 * table, about 550 µs of CPU per signature against about 80 µs with Bouncy Castle's fixed-point comb
 * (JMH {@code es256SignJdk}, {@code es256SignBouncyCastle}), and the signature was the largest cost of
 * an exchange. The provider is used by instance, never registered with the JVM, so nothing else changes
 * provider; the JWS is put together here because SmallRye JWT and jose4j take a provider only by its
 * registered name.
 */
@ApplicationScoped
public class ExchangedTokenSigner {

    private static final Provider PROVIDER = new BouncyCastleProvider();
    /** ECDSA with the signature as JWS wants it (r and s, 32 bytes each), not DER. */
    private static final String ALGORITHM = "SHA256withPLAIN-ECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SigningKeys keys;

    /** The current key in Bouncy Castle's form: handing it a JDK key converts the key on every signature. */
    private record ProviderKey(PrivateKey jdk, PrivateKey converted) {
    }

    private volatile ProviderKey providerKey;

    public ExchangedTokenSigner(SigningKeys keys) {
        this.keys = keys;
    }

    /** Whether tokens can be signed ({@code keyward.signing-keys.secret} is set). */
    public boolean enabled() {
        return keys.enabled();
    }

    /**
     * The signed token; CPU only (about 80 µs), so it runs where it is called, the event loop included.
     *
     * @return fails with {@link ApiException} 503 {@code exchange_disabled} without a signing secret
     */
    public Uni<String> sign(ExchangedToken token) {
        return keys.current().map(key -> sign(token, key));
    }

    private String sign(ExchangedToken token, SigningKey key) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("kid", key.kid());
        header.put("typ", "JWT");
        header.put("alg", ExchangedToken.ALGORITHM);
        try {
            String input = BASE64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + BASE64URL.encodeToString(JSON.writeValueAsBytes(token.toClaims()));
            Signature signature = Signature.getInstance(ALGORITHM, PROVIDER);
            signature.initSign(providerKey(key.privateKey()), RANDOM);
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(signature.sign());
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.kid(), e);
        }
    }

    private PrivateKey providerKey(PrivateKey jdk) throws GeneralSecurityException {
        ProviderKey known = providerKey;
        if (known != null && known.jdk() == jdk) {
            return known.converted();
        }
        byte[] pkcs8 = jdk.getEncoded();
        try {
            PrivateKey converted = KeyFactory.getInstance("EC", PROVIDER).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            providerKey = new ProviderKey(jdk, converted);
            return converted;
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }
}
