package dev.keyward.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyward.contract.ApiKeyFormat.Environment;
import dev.keyward.contract.ApiKeyFormat.FoundKey;
import dev.keyward.contract.ApiKeyFormat.KeysInText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ApiKeyFormat#findKeys}: the one scanner of text for Keyward keys (CLI, push protection). */
class KeyScanTest {

    private static final String PROD = ApiKeyFormat.generate(Environment.PROD, TokenKind.ORG);
    private static final String DEV = ApiKeyFormat.generate(Environment.DEV, TokenKind.REPO);
    private static final String PLATFORM = ApiKeyFormat.generate(Environment.PROD, TokenKind.PLATFORM);

    @Test
    void findsEachKeyWithItsLineAndOffsetInOrder() {
        String text = "# config\nKEYWARD_TOKEN=" + PROD + "\n\nurl: https://x:" + DEV + "@git.example/repo\r\n" + PLATFORM;

        KeysInText found = ApiKeyFormat.findKeys(text);

        assertThat(found.keys()).containsExactly(
                new FoundKey(PROD, 2, text.indexOf(PROD)),
                new FoundKey(DEV, 4, text.indexOf(DEV)),
                new FoundKey(PLATFORM, 5, text.indexOf(PLATFORM)));
        assertThat(found.badChecksums()).isZero();
    }

    @Test
    void aKeyAtTheVeryEndOrTheVeryStartOrAloneIsFound() {
        assertThat(ApiKeyFormat.findKeys(PROD).keys()).containsExactly(new FoundKey(PROD, 1, 0));
        assertThat(ApiKeyFormat.findKeys("x\n" + DEV).keys()).containsExactly(new FoundKey(DEV, 2, 2));
        assertThat(ApiKeyFormat.findKeys(DEV + "\n").keys()).containsExactly(new FoundKey(DEV, 1, 0));
        // One character short at the end: not a key.
        assertThat(ApiKeyFormat.findKeys("x" + DEV.substring(0, DEV.length() - 1)).keys()).isEmpty();
        assertThat(ApiKeyFormat.findKeys("").keys()).isEmpty();
        assertThat(ApiKeyFormat.findKeys("kw_").keys()).isEmpty();
    }

    @Test
    void lookAlikesWithABadChecksumAreCountedNotReturned() {
        String typo = typoOf(PROD);
        String example = "kw_prod_o_" + "A".repeat(32) + "_abcdef";

        KeysInText found = ApiKeyFormat.findKeys("token: " + typo + "\nexample: " + example + "\nreal: " + DEV);

        assertThat(found.keys()).extracting(FoundKey::key).containsExactly(DEV);
        assertThat(found.badChecksums()).isEqualTo(2);
    }

    @Test
    void overlappingLookAlikesDoNotHideAKey() {
        // Heads that start like a key but break off, with a real key starting inside them.
        String text = "kw_kw_prod_kw_dev_r_kw_prod_o_" + DEV + " kw_prod_" + PROD + "kw_" + PLATFORM;

        assertThat(ApiKeyFormat.findKeys(text).keys()).extracting(FoundKey::key).containsExactly(DEV, PROD, PLATFORM);
        // A key glued to more text on either side is still reported: a leak scanner would rather not miss it.
        assertThat(ApiKeyFormat.findKeys("x" + PROD + "Zz9").keys()).extracting(FoundKey::offset).containsExactly(1);
        // A look-alike whose random part runs into a real key: the look-alike is skipped, the key found.
        String glued = "kw_prod_o_abc" + DEV;
        assertThat(ApiKeyFormat.findKeys(glued).keys()).containsExactly(new FoundKey(DEV, 1, 13));
    }

    @Test
    void aBinaryBlobWithAnEmbeddedKeyGivesByteOffsets() {
        byte[] blob = new byte[70_000];
        new Random(7).nextBytes(blob);
        byte[] key = PROD.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, blob, 40_000, key.length);
        System.arraycopy(DEV.getBytes(StandardCharsets.US_ASCII), 0, blob, blob.length - DEV.length(), DEV.length());
        int newlines = 0;
        for (int i = 0; i < 40_000; i++) {
            newlines += blob[i] == '\n' ? 1 : 0;
        }

        KeysInText found = ApiKeyFormat.findKeys(blob);

        assertThat(found.keys()).extracting(FoundKey::key).containsExactly(PROD, DEV);
        assertThat(found.keys().get(0).offset()).isEqualTo(40_000);
        assertThat(found.keys().get(0).line()).isEqualTo(newlines + 1);
        assertThat(found.keys().get(1).offset()).isEqualTo(blob.length - DEV.length());
    }

    @Test
    void aKeyInUtf16TextIsNotAByteRunAndNeedsDecodingFirst() {
        // UTF-8 and other ASCII-preserving encodings keep a key's bytes together; UTF-16 does not.
        String text = "é ünïcödé → " + PROD;
        assertThat(ApiKeyFormat.findKeys(text.getBytes(StandardCharsets.UTF_8)).keys()).extracting(FoundKey::key).containsExactly(PROD);
        assertThat(ApiKeyFormat.findKeys(text).keys()).extracting(FoundKey::key).containsExactly(PROD);
    }

    @Test
    void aFindingPrintsOnlyThePrefix() {
        FoundKey key = ApiKeyFormat.findKeys(PROD).keys().get(0);

        assertThat(key.toString()).doesNotContain(PROD).contains(ApiKeyFormat.prefixOf(PROD));
        assertThat(key.prefix()).isEqualTo(PROD.substring(0, "kw_prod_o_".length() + 8));
    }

    /**
     * Property style: keys dropped at random places into random text over an alphabet rich in key
     * characters ({@code k}, {@code w}, {@code _}, heads, base62) are found exactly, with the offsets
     * and lines a naive count gives, and no key is invented.
     */
    @Test
    void keysPlantedInRandomNoiseAreFoundExactly() {
        Random random = new Random(42);
        String[] pieces = {"k", "w", "_", "kw_", "kw_prod_", "kw_dev_", "o_", "r_", "\n", "a", "Z", "9", " ", "\u00e9"};
        for (int round = 0; round < 300; round++) {
            StringBuilder text = new StringBuilder();
            List<FoundKey> planted = new ArrayList<>();
            int line = 1;
            for (int n = random.nextInt(60); n > 0; n--) {
                if (random.nextInt(12) == 0) {
                    String key = ApiKeyFormat.generate(random.nextBoolean() ? Environment.PROD : Environment.DEV,
                            TokenKind.values()[random.nextInt(TokenKind.values().length)]);
                    // A separator the key cannot run into, so the expectation is unambiguous.
                    text.append(' ');
                    planted.add(new FoundKey(key, line, text.length()));
                    text.append(key).append(' ');
                } else {
                    String piece = pieces[random.nextInt(pieces.length)];
                    line += piece.equals("\n") ? 1 : 0;
                    text.append(piece);
                }
            }
            assertThat(ApiKeyFormat.findKeys(text).keys()).as(text.toString()).isEqualTo(planted);
            assertThat(ApiKeyFormat.findKeys(text.toString().getBytes(StandardCharsets.ISO_8859_1)).keys()).isEqualTo(planted);
        }
    }

    @Test
    void scansTensOfMegabytesQuickly() {
        byte[] noise = new byte[50 << 20];
        new Random(1).nextBytes(noise);
        byte[] key = DEV.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(key, 0, noise, noise.length - key.length, key.length);
        ApiKeyFormat.findKeys(new byte[1 << 20]); // warm up

        long started = System.nanoTime();
        KeysInText found = ApiKeyFormat.findKeys(noise);
        long millis = (System.nanoTime() - started) / 1_000_000;

        System.out.printf("findKeys: 50 MiB of random bytes in %d ms (%.0f MiB/s)%n", millis, 50_000.0 / Math.max(1, millis));
        assertThat(found.keys()).extracting(FoundKey::key).containsExactly(DEV);
        // Generous for a shared machine: a catastrophic pattern would take minutes.
        assertThat(millis).isLessThan(10_000);
    }

    private static String typoOf(String key) {
        char c = key.charAt(20);
        return key.substring(0, 20) + (c == 'a' ? 'b' : 'a') + key.substring(21);
    }
}
