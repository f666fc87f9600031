package dev.keyward.contract;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
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
        if (c == null) {
            return -1;
        }
        int kindAt = kindOffsetAt(c, 0);
        return kindAt > 0 && c.length() == keyLength(kindAt) ? kindAt : -1;
    }

    /**
     * Where the kind letter is, counted from {@code at}, when a key-shaped run of characters starts at
     * {@code at} in {@code s} (what follows the run does not matter); -1 otherwise.
     */
    private static int kindOffsetAt(CharSequence s, int at) {
        int kindAt;
        if (startsWith(s, at, "kw_prod_")) {
            kindAt = "kw_prod_".length();
        } else if (startsWith(s, at, "kw_dev_")) {
            kindAt = "kw_dev_".length();
        } else {
            return -1;
        }
        int end = at + keyLength(kindAt);
        int randomAt = at + kindAt + 2;
        int checksumAt = randomAt + RANDOM_LENGTH + 1;
        if (end > s.length() || !isKindLetter(s.charAt(at + kindAt))
                || s.charAt(at + kindAt + 1) != '_' || s.charAt(checksumAt - 1) != '_') {
            return -1;
        }
        for (int i = randomAt; i < end; i++) {
            if (i != checksumAt - 1 && !isBase62(s.charAt(i))) {
                return -1;
            }
        }
        return kindAt;
    }

    /** The length of a whole key whose kind letter is at {@code kindAt}. */
    private static int keyLength(int kindAt) {
        return kindAt + 2 + RANDOM_LENGTH + 1 + CHECKSUM_LENGTH;
    }

    private static boolean startsWith(CharSequence s, int at, String head) {
        if (at + head.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < head.length(); i++) {
            if (s.charAt(at + i) != head.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isKindLetter(char c) {
        for (TokenKind kind : TokenKind.values()) {
            if (kind.keyLetter() == c) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBase62(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Whether the last {@value #CHECKSUM_LENGTH} characters of a well-shaped key are the checksum of the rest. */
    private static boolean checksumMatches(String key) {
        return checksumMatches(key, 0, key.length());
    }

    /** Like {@link #checksumMatches(String)} for the well-shaped key {@code s[at, at + length)}. */
    private static boolean checksumMatches(CharSequence s, int at, int length) {
        int checksumAt = at + length - CHECKSUM_LENGTH;
        CRC32 crc = new CRC32();
        for (int i = at; i < checksumAt - 1; i++) {
            crc.update(s.charAt(i)); // ASCII, as the shape check proved
        }
        long value = crc.getValue();
        for (int i = CHECKSUM_LENGTH - 1; i >= 0; i--) {
            if (s.charAt(checksumAt + i) != ALPHABET.charAt((int) (value % ALPHABET.length()))) {
                return false;
            }
            value /= ALPHABET.length();
        }
        return true;
    }

    /**
     * A key found in text by {@link #findKeys(CharSequence)}: where it starts ({@code offset}, 0-based,
     * in characters; in bytes for {@link #findKeys(byte[])}) and on which {@code line} (1-based,
     * counting {@code \n}). Its {@link #toString()} shows only the display prefix, so a finding can be
     * logged; {@link #key()} is the secret itself, for a lookup or a revocation.
     */
    public record FoundKey(String key, int line, int offset) {

        /** The display prefix ({@code kw_prod_o_7fK2pQ9x}): safe to print, log and put in events. */
        public String prefix() {
            return prefixOf(key);
        }

        @Override
        public String toString() {
            return "FoundKey[prefix=" + prefix() + ", line=" + line + ", offset=" + offset + "]";
        }
    }

    /**
     * What {@link #findKeys(CharSequence)} saw: the checksum-valid keys in order, and how many
     * key-shaped strings were skipped for a wrong checksum (typos, examples, made-up keys).
     */
    public record KeysInText(List<FoundKey> keys, int badChecksums) {

        public KeysInText {
            keys = List.copyOf(keys);
        }
    }

    /**
     * Every Keyward key in {@code text}: each {@code kw_(prod|dev)_[orp]_<32 base62>_<6 base62>} run
     * whose checksum is right, wherever it stands (inside a word, a URL, a binary blob; what follows
     * its last checksum character does not matter, as a leak scanner would rather see a key glued to
     * other text than miss it). Look-alikes with a wrong checksum are counted, not returned.
     * <p>
     * One pass without a regex: it looks for {@code kw_}, then checks the shape and the checksum at
     * that place only, and counts lines only up to the keys it finds, so a large input without keys
     * costs one look at each character.
     */
    public static KeysInText findKeys(CharSequence text) {
        List<FoundKey> keys = new ArrayList<>();
        int badChecksums = 0;
        int line = 1;
        int lineCountedTo = 0;
        int length = text.length();
        // The last place a key can start: the shortest key is a dev one.
        int lastStart = length - keyLength("kw_dev_".length());
        int i = 0;
        while (i <= lastStart) {
            if (text.charAt(i) != 'k' || text.charAt(i + 1) != 'w' || text.charAt(i + 2) != '_') {
                i++;
                continue;
            }
            int kindAt = kindOffsetAt(text, i);
            if (kindAt < 0) {
                i++; // a look-alike head may hide a key that starts inside it
                continue;
            }
            int keyLength = keyLength(kindAt);
            if (!checksumMatches(text, i, keyLength)) {
                badChecksums++;
                i++;
                continue;
            }
            for (; lineCountedTo < i; lineCountedTo++) {
                if (text.charAt(lineCountedTo) == '\n') {
                    line++;
                }
            }
            keys.add(new FoundKey(text.subSequence(i, i + keyLength).toString(), line, i));
            i += keyLength; // a key holds no '_' after its checksum separator, so no other key starts inside it
        }
        return new KeysInText(keys, badChecksums);
    }

    /**
     * {@link #findKeys(CharSequence)} over raw bytes of any kind (source, binaries, archives): each byte
     * is read as one ISO-8859-1 character, so offsets are byte offsets and no encoding can hide a key
     * (keys are ASCII, which every byte-oriented text encoding keeps as is). Copies nothing.
     */
    public static KeysInText findKeys(byte[] content) {
        return findKeys(new Latin1Chars(content, 0, content.length));
    }

    /** Bytes read as ISO-8859-1 without copying them into a String. */
    private record Latin1Chars(byte[] bytes, int from, int to) implements CharSequence {

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            return (char) (bytes[from + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Latin1Chars(bytes, from + start, from + end);
        }

        @Override
        public String toString() {
            return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
        }
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

    /** The kind named by a key's display prefix ({@code kw_prod_r_…}); empty for anything else. */
    public static Optional<TokenKind> kindOfPrefix(String prefix) {
        int head = prefix == null ? -1 : headLength(prefix);
        return head < 0 ? Optional.empty() : TokenKind.fromKeyLetter(prefix.charAt(head - 2));
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
