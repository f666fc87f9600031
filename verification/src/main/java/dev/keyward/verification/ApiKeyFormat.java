package dev.keyward.verification;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The format of issued (opaque) API keys: {@code kw_<env>_<kind>_<random>_<checksum>}.
 * <ul>
 *   <li>{@code env} is {@code prod} or {@code dev}; {@code kind} is {@code o} (org) or {@code r} (repo);</li>
 *   <li>{@code random} is 32 base62 characters from a {@link SecureRandom} (190 bits);</li>
 *   <li>{@code checksum} is the CRC32 of everything before it, as 6 base62 characters, so secret
 *       scanners (and the verifier) can tell a real key from a typo offline.</li>
 * </ul>
 * The display {@code key_prefix} is the {@code kw_<env>_<kind>_} head and the first
 * {@value #PREFIX_RANDOM_LENGTH} characters of the random part ({@code kw_prod_o_7fK2pQ9x}).
 */
public final class ApiKeyFormat {

    /**
     * How many characters of the random part the display prefix shows: enough to tell a creator's
     * keys apart and to find one by it (SPEC: at least 6), 48 of the 190 random bits.
     */
    public static final int PREFIX_RANDOM_LENGTH = 8;
    /** How much is shown of a string that does not start like a key, and the least worth showing at all. */
    public static final int PREFIX_LENGTH = 12;
    static final int RANDOM_LENGTH = 32;
    static final int CHECKSUM_LENGTH = 6;

    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeyFormat() {
    }

    /** Environments a key can be issued for; dev keys get lower rate limits. */
    public enum Environment {
        PROD, DEV;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Optional<Environment> parse(String name) {
            for (Environment e : values()) {
                if (e.wireName().equals(name)) {
                    return Optional.of(e);
                }
            }
            return Optional.empty();
        }
    }

    /** A parsed key whose shape and checksum are right (it may still be unknown or revoked). */
    public record ParsedKey(Environment environment, TokenKind kind, String prefix) {
    }

    /** Generates a new key. The caller shows it once and stores only a keyed hash of it. */
    public static String generate(Environment environment, TokenKind kind) {
        StringBuilder body = new StringBuilder("kw_").append(environment.wireName()).append('_')
                .append(kind.keyLetter()).append('_');
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            body.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        String withoutChecksum = body.toString();
        return withoutChecksum + '_' + checksum(withoutChecksum);
    }

    /** Checks shape and checksum without any I/O; empty for anything that is not a valid key. */
    public static Optional<ParsedKey> parse(String candidate) {
        int kindAt = kindIndex(candidate);
        if (kindAt < 0 || !checksumMatches(candidate)) {
            return Optional.empty();
        }
        return Optional.of(new ParsedKey(kindAt == "kw_prod_".length() ? Environment.PROD : Environment.DEV,
                TokenKind.fromKeyLetter(candidate.charAt(kindAt)).orElseThrow(), prefixOf(candidate)));
    }

    /** Why a candidate is not a valid key. */
    public enum Problem {
        /** Not the {@code kw_<env>_<kind>_<random>_<checksum>} shape. */
        MALFORMED,
        /** The right shape, but the checksum does not match: a typo or a made-up key. */
        BAD_CHECKSUM
    }

    /** Like {@link #parse(String)}, but says why a candidate is refused; empty when it is a valid key. */
    public static Optional<Problem> problemOf(String candidate) {
        if (kindIndex(candidate) < 0) {
            return Optional.of(Problem.MALFORMED);
        }
        return checksumMatches(candidate) ? Optional.empty() : Optional.of(Problem.BAD_CHECKSUM);
    }

    /**
     * Where the kind letter is when {@code c} has the shape {@code kw_(prod|dev)_[orp]_<32 base62>_<6 base62>};
     * -1 otherwise. Hand-written rather than a regex: every request's key passes here, and this
     * allocates nothing.
     */
    private static int kindIndex(String c) {
        int kindAt;
        if (c == null) {
            return -1;
        } else if (c.startsWith("kw_prod_")) {
            kindAt = "kw_prod_".length();
        } else if (c.startsWith("kw_dev_")) {
            kindAt = "kw_dev_".length();
        } else {
            return -1;
        }
        int randomAt = kindAt + 2;
        int checksumAt = randomAt + RANDOM_LENGTH + 1;
        if (c.length() != checksumAt + CHECKSUM_LENGTH || TokenKind.fromKeyLetter(c.charAt(kindAt)).isEmpty()
                || c.charAt(kindAt + 1) != '_' || c.charAt(checksumAt - 1) != '_') {
            return -1;
        }
        for (int i = randomAt; i < c.length(); i++) {
            if (i != checksumAt - 1 && !isBase62(c.charAt(i))) {
                return -1;
            }
        }
        return kindAt;
    }

    private static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Whether the last {@value #CHECKSUM_LENGTH} characters of a well-shaped key are the checksum of the rest. */
    private static boolean checksumMatches(String key) {
        int checksumAt = key.length() - CHECKSUM_LENGTH;
        CRC32 crc = new CRC32();
        for (int i = 0; i < checksumAt - 1; i++) {
            crc.update(key.charAt(i)); // ASCII, as the shape check proved
        }
        long value = crc.getValue();
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            if (key.charAt(checksumAt + i) != ALPHABET.charAt((int) (value % ALPHABET.length()))) {
                return false;
            }
            value /= ALPHABET.length();
        }
        return true;
    }

    /** Whether the string looks like a Keyward key at all (a cheap test before JWT parsing). */
    public static boolean looksLikeApiKey(String candidate) {
        return candidate != null && candidate.startsWith("kw_");
    }

    /**
     * The display prefix of a key: its {@code kw_<env>_<kind>_} head and {@value #PREFIX_RANDOM_LENGTH}
     * characters (the first {@value #PREFIX_LENGTH} of anything else). Safe to log and to put in events.
     */
    public static String prefixOf(String key) {
        int head = headLength(key);
        int length = head > 0 ? head + PREFIX_RANDOM_LENGTH : PREFIX_LENGTH;
        return key.length() <= length ? key : key.substring(0, length);
    }

    /** The length of a {@code kw_<env>_<letter>_} head (any kind letter), or -1. */
    private static int headLength(String candidate) {
        int kindAt = candidate.startsWith("kw_prod_") ? "kw_prod_".length()
                : candidate.startsWith("kw_dev_") ? "kw_dev_".length() : -1;
        return kindAt > 0 && candidate.length() > kindAt + 1 && candidate.charAt(kindAt + 1) == '_' ? kindAt + 2 : -1;
    }

    /** The environment named by a key's display prefix ({@code kw_dev_…}); empty for anything else. */
    public static Optional<Environment> environmentOfPrefix(String prefix) {
        if (prefix == null || !prefix.startsWith("kw_")) {
            return Optional.empty();
        }
        int end = prefix.indexOf('_', 3);
        return end < 0 ? Optional.empty() : Environment.parse(prefix.substring(3, end));
    }

    static String checksum(String withoutChecksum) {
        CRC32 crc = new CRC32();
        crc.update(withoutChecksum.getBytes(StandardCharsets.US_ASCII));
        long value = crc.getValue();
        char[] out = new char[CHECKSUM_LENGTH];
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (value % ALPHABET.length()));
            value /= ALPHABET.length();
        }
        return new String(out);
    }
}
