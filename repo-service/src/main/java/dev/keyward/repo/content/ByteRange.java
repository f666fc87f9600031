package dev.keyward.repo.content;

/**
 * A single {@code Range: bytes=…} request (RFC 9110 §14) against a blob of {@code size} bytes.
 * A header this service does not serve as a range (absent, another unit, several ranges, bad
 * syntax) means the whole blob, as the RFC allows; a range starting at or past the end is
 * unsatisfiable (416).
 *
 * @param start first byte, inclusive
 * @param end   last byte, inclusive
 */
public record ByteRange(long start, long end, boolean partial, boolean satisfiable) {

    public long length() {
        return satisfiable ? end - start + 1 : 0;
    }

    public static ByteRange of(String header, long size) {
        ByteRange whole = new ByteRange(0, size - 1, false, true);
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return whole;
        }
        String spec = header.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole;
        }
        long first;
        long last;
        try {
            String a = spec.substring(0, dash).strip();
            String b = spec.substring(dash + 1).strip();
            if (a.isEmpty()) {
                long suffix = digits(b);
                if (suffix == 0 || size == 0) {
                    return unsatisfiable(size);
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1, true, true);
            }
            first = digits(a);
            last = b.isEmpty() ? Long.MAX_VALUE : digits(b);
        } catch (NumberFormatException e) {
            return whole;
        }
        if (last < first) {
            return whole;
        }
        if (first >= size) {
            return unsatisfiable(size);
        }
        return new ByteRange(first, Math.min(last, size - 1), true, true);
    }

    private static ByteRange unsatisfiable(long size) {
        return new ByteRange(0, size - 1, true, false);
    }

    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException();
        }
        return Long.parseLong(s);
    }
}
