package dev.keyward.verification;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.jose4j.keys.EllipticCurves;

/**
 * Checks the ES256 signature of a compact JWS with Bouncy Castle's ECDSA. Java 17's SunEC spends
 * about 1 ms of CPU per P-256 verification on these machines, Bouncy Castle about 0.1 ms with its
 * own form of the key (JMH {@code es256SignatureOnly}, {@code jwtVerifyEs256}); that is the whole of
 * a cold JWT miss. The provider is used by instance, never registered with the JVM, so no other code changes
 * provider. The signature is the JWS form (r and s, 32 bytes each); Bouncy Castle refuses r or s
 * outside [1, n-1].
 */
final class Es256Signature {

    private static final Provider PROVIDER = new BouncyCastleProvider();
    private static final String ALGORITHM = "SHA256withPLAIN-ECDSA";
    private static final int SIGNATURE_BYTES = 64;
    private static final ECParameterSpec P256 = EllipticCurves.P256;
    /**
     * Each JDK key in Bouncy Castle's own form: handed a JDK key, Bouncy Castle converts it on every
     * check (about 150 µs, more than the check's 100 µs). Weak keys: a key the verifier's key cache
     * drops is dropped here too.
     */
    private static final Map<PublicKey, PublicKey> CONVERTED = Collections.synchronizedMap(new WeakHashMap<>());

    private Es256Signature() {
    }

    /** Whether {@code key}, a P-256 public key, signed {@code compactJws} (header.payload.signature). */
    static boolean verifies(String compactJws, PublicKey key) throws GeneralSecurityException {
        if (!(key instanceof ECPublicKey ec) || !onP256(ec)) {
            return false;
        }
        int dot = compactJws.lastIndexOf('.');
        String encoded = compactJws.substring(dot + 1);
        if (encoded.length() != 86 || encoded.indexOf('=') >= 0) {
            return false; // 64 bytes are 86 unpadded base64url characters
        }
        byte[] signature = Base64.getUrlDecoder().decode(encoded);
        if (signature.length != SIGNATURE_BYTES) {
            return false;
        }
        Signature verifier = Signature.getInstance(ALGORITHM, PROVIDER);
        verifier.initVerify(providerKey(ec));
        verifier.update(compactJws.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        try {
            return verifier.verify(signature);
        } catch (SignatureException outOfRange) {
            return false; // r or s of zero or beyond the order: Bouncy Castle will not even decode it
        }
    }

    private static PublicKey providerKey(ECPublicKey key) throws GeneralSecurityException {
        PublicKey converted = CONVERTED.get(key);
        if (converted == null) {
            converted = KeyFactory.getInstance("EC", PROVIDER).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
            CONVERTED.put(key, converted);
        }
        return converted;
    }

    private static boolean onP256(ECPublicKey key) {
        ECParameterSpec params = key.getParams();
        return P256.getCurve().equals(params.getCurve()) && P256.getOrder().equals(params.getOrder())
                && P256.getGenerator().equals(params.getGenerator());
    }
}
