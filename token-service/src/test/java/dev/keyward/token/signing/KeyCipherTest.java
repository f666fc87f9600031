package dev.keyward.token.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyCipherTest {

    static final String SECRET = "a-signing-keys-secret-of-enough-length-000";
    static final byte[] PLAINTEXT = "a private key, PKCS#8 in real life: 0123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sealedKeysOpenWithTheSameSecretAndKid() {
        byte[] sealed = new KeyCipher(SECRET).seal("kw-20260101-abcdefgh", PLAINTEXT);

        assertThat(new KeyCipher(SECRET).open("kw-20260101-abcdefgh", sealed)).isEqualTo(PLAINTEXT);
        // 96-bit nonce + ciphertext + 128-bit tag
        assertThat(sealed).hasSize(12 + PLAINTEXT.length + 16);
    }

    @Test
    void theCiphertextHoldsNoPartOfThePlaintextAndNeverRepeats() {
        KeyCipher cipher = new KeyCipher(SECRET);
        byte[] a = cipher.seal("kid", PLAINTEXT);
        byte[] b = cipher.seal("kid", PLAINTEXT);

        assertThat(a).isNotEqualTo(b);
        for (int i = 0; i + 8 <= PLAINTEXT.length; i++) {
            assertThat(contains(a, Arrays.copyOfRange(PLAINTEXT, i, i + 8))).as("plaintext bytes at %d", i).isFalse();
        }
    }

    @Test
    void anotherSecretCannotOpenAndTheMessageNamesNoSecret() {
        byte[] sealed = new KeyCipher(SECRET).seal("kid-1", PLAINTEXT);

        assertThatThrownBy(() -> new KeyCipher(SECRET + "x").open("kid-1", sealed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kid-1").hasMessageContaining("keyward.signing-keys.secret")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aSealedKeyMovedToAnotherKidDoesNotOpen() {
        KeyCipher cipher = new KeyCipher(SECRET);
        byte[] sealed = cipher.seal("kid-1", PLAINTEXT);

        assertThatThrownBy(() -> cipher.open("kid-2", sealed)).isInstanceOf(IllegalStateException.class);
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.open("kid-1", altered)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> cipher.open("kid-1", new byte[12])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aShortSecretIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> new KeyCipher("only-thirty-one-characters-long"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("KEYWARD_SIGNING_KEYS_SECRET").hasMessageContaining("32");
        assertThatThrownBy(() -> new KeyCipher("   " + "x".repeat(30) + "   ")).isInstanceOf(IllegalStateException.class);
        assertThat(new KeyCipher("x".repeat(32))).isNotNull();
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
