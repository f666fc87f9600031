package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Base64;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.keys.EllipticCurves;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bouncy Castle's ES256 check agrees with jose4j's (the JDK's) on good and bad signatures, and
 * refuses what ECDSA must refuse: another key or curve, r or s of zero or at the group order,
 * a signature of the wrong length or in DER form.
 */
class Es256SignatureTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static PublicJsonWebKey key;
    private static PublicJsonWebKey other;

    @BeforeAll
    static void keys() throws Exception {
        key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        other = EcJwkGenerator.generateJwk(EllipticCurves.P256);
    }

    private static String sign(PublicJsonWebKey signer, String payload) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
        jws.setKey(signer.getPrivateKey());
        return jws.getCompactSerialization();
    }

    private static boolean jose4j(String compact, PublicJsonWebKey verifier) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setCompactSerialization(compact);
        jws.setKey(verifier.getPublicKey());
        return jws.verifySignature();
    }

    private static String withSignature(String compact, byte[] signature) {
        return compact.substring(0, compact.lastIndexOf('.') + 1) + B64.encodeToString(signature);
    }

    @Test
    void agreesWithTheJdkOnGoodAndTamperedTokens() throws Exception {
        for (int i = 0; i < 20; i++) {
            String compact = sign(key, "{\"n\":" + i + "}");
            assertThat(Es256Signature.verifies(compact, key.getPublicKey())).isTrue();
            assertThat(jose4j(compact, key)).isTrue();

            String otherPayload = compact.substring(0, compact.indexOf('.') + 1) + B64.encodeToString(("{\"n\":" + (i + 1) + "}").getBytes())
                    + compact.substring(compact.lastIndexOf('.'));
            assertThat(Es256Signature.verifies(otherPayload, key.getPublicKey())).isFalse();
            assertThat(jose4j(otherPayload, key)).isFalse();
            assertThat(Es256Signature.verifies(compact, other.getPublicKey())).isFalse();
        }
    }

    @Test
    void refusesKeysThatAreNotP256() throws Exception {
        PublicJsonWebKey p384 = EcJwkGenerator.generateJwk(EllipticCurves.P384);
        PublicJsonWebKey rsa = RsaJwkGenerator.generateJwk(2048);
        String compact = sign(key, "{}");
        assertThat(Es256Signature.verifies(compact, p384.getPublicKey())).isFalse();
        assertThat(Es256Signature.verifies(compact, rsa.getPublicKey())).isFalse();
    }

    @Test
    void refusesOutOfRangeAndMisshapenSignatures() throws Exception {
        String compact = sign(key, "{}");
        byte[] good = Base64.getUrlDecoder().decode(compact.substring(compact.lastIndexOf('.') + 1));
        byte[] order = unsigned32(EllipticCurves.P256.getOrder());

        byte[] zeros = new byte[64];
        assertThat(Es256Signature.verifies(withSignature(compact, zeros), key.getPublicKey())).isFalse();
        byte[] rIsOrder = good.clone();
        System.arraycopy(order, 0, rIsOrder, 0, 32);
        assertThat(Es256Signature.verifies(withSignature(compact, rIsOrder), key.getPublicKey())).isFalse();
        byte[] sIsOrder = good.clone();
        System.arraycopy(order, 0, sIsOrder, 32, 32);
        assertThat(Es256Signature.verifies(withSignature(compact, sIsOrder), key.getPublicKey())).isFalse();

        byte[] longer = new byte[65];
        System.arraycopy(good, 0, longer, 1, 64);
        assertThat(Es256Signature.verifies(withSignature(compact, longer), key.getPublicKey())).isFalse();
        byte[] shorter = new byte[63];
        System.arraycopy(good, 1, shorter, 0, 63);
        assertThat(Es256Signature.verifies(withSignature(compact, shorter), key.getPublicKey())).isFalse();
        assertThat(Es256Signature.verifies(compact + "=", key.getPublicKey())).isFalse();
        assertThat(Es256Signature.verifies(withSignature(compact, der(good)), key.getPublicKey())).isFalse();
    }

    private static byte[] unsigned32(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        System.arraycopy(raw, Math.max(0, raw.length - 32), out, Math.max(0, 32 - raw.length), Math.min(32, raw.length));
        return out;
    }

    /** The same r and s in ASN.1 DER, as the JDK's SHA256withECDSA wants them. */
    private static byte[] der(byte[] plain) {
        byte[] r = new BigInteger(1, java.util.Arrays.copyOfRange(plain, 0, 32)).toByteArray();
        byte[] s = new BigInteger(1, java.util.Arrays.copyOfRange(plain, 32, 64)).toByteArray();
        byte[] out = new byte[6 + r.length + s.length];
        out[0] = 0x30;
        out[1] = (byte) (4 + r.length + s.length);
        out[2] = 0x02;
        out[3] = (byte) r.length;
        System.arraycopy(r, 0, out, 4, r.length);
        out[4 + r.length] = 0x02;
        out[5 + r.length] = (byte) s.length;
        System.arraycopy(s, 0, out, 6 + r.length, s.length);
        return out;
    }
}
