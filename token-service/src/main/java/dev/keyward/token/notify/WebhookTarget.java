package dev.keyward.token.notify;

import dev.keyward.contract.CidrBlock;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Whether an org's webhook URL is safe to POST to from inside the cluster (SSRF): https (http only
 * when the operator allows it), no user-info, and a host whose every address is public. Plain Java;
 * IP literals in every form a browser or libc accepts ({@code 2130706433}, {@code 127.1},
 * {@code 0177.0.0.1}, {@code 0x7f.0.0.1}, {@code [::ffff:7f00:1]}) are judged here and never reach
 * DNS; names are resolved once and refused when any answer is not allowed. Called when an org sets
 * its URL and again right before each delivery (DNS answers change).
 */
public final class WebhookTarget {

    /** Longest URL accepted. */
    public static final int MAX_LENGTH = 2000;

    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata");

    private record Rule(CidrBlock block, String what) {
    }

    // First match wins: the metadata address and broadcast before the ranges that hold them.
    private static final List<Rule> DENIED = List.of(
            rule("0.0.0.0/8", "an unspecified address"),
            rule("127.0.0.0/8", "a loopback address"),
            rule("10.0.0.0/8", "a private address"),
            rule("172.16.0.0/12", "a private address"),
            rule("192.168.0.0/16", "a private address"),
            rule("100.64.0.0/10", "a shared (CGNAT) address"),
            rule("169.254.169.254/32", "the cloud metadata address"),
            rule("169.254.0.0/16", "a link-local address"),
            rule("224.0.0.0/4", "a multicast address"),
            rule("255.255.255.255/32", "the broadcast address"),
            rule("240.0.0.0/4", "a reserved address"),
            rule("::/128", "an unspecified address"),
            rule("::1/128", "a loopback address"),
            rule("fe80::/10", "a link-local address"),
            rule("fec0::/10", "a site-local address"),
            rule("fc00::/7", "a unique-local address"),
            rule("ff00::/8", "a multicast address"));

    private WebhookTarget() {
    }

    /**
     * Operator settings.
     *
     * @param allowHttp    let plain {@code http} URLs through (local receivers, tests)
     * @param allowedCidrs address ranges allowed despite the rules (an internal webhook receiver);
     *                     checked with {@link CidrBlock}, so a bad entry fails here
     */
    public record Settings(boolean allowHttp, List<String> allowedCidrs) {
        public Settings {
            allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
            allowedCidrs.forEach(CidrBlock::parse);
        }
    }

    /** Turns a host name into its addresses; {@link #SYSTEM} asks the JVM (and its DNS cache). */
    @FunctionalInterface
    public interface Resolver {
        Resolver SYSTEM = InetAddress::getAllByName;

        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A URL that may not be used; the message names {@code webhook_url} and the reason, never a path or query. */
    public static final class UnsafeUrl extends RuntimeException {
        UnsafeUrl(String message) {
            super(message);
        }

        /** The same refusal naming {@code field} instead: the rules also guard trust policy issuers. */
        public String messageFor(String field) {
            return getMessage().replaceFirst("^webhook_url", field);
        }
    }

    /**
     * Checks {@code url} and returns it normalised (scheme and host in lower case, numeric IPv4 hosts
     * in dotted form, no fragment), which is the URL to store and to send to.
     *
     * @throws UnsafeUrl when the URL breaks a rule or a name does not resolve
     */
    public static URI check(String url, Settings settings, Resolver resolver) {
        if (url == null || url.isBlank()) {
            throw new UnsafeUrl("webhook_url is required");
        }
        String trimmed = url.strip();
        if (trimmed.length() > MAX_LENGTH) {
            throw new UnsafeUrl("webhook_url is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            // The parser's message quotes the whole input, which may carry a token.
            throw new UnsafeUrl("webhook_url is not a valid URL");
        }
        if (uri.getScheme() == null) {
            throw new UnsafeUrl("webhook_url must be an absolute URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(settings.allowHttp() && scheme.equals("http"))) {
            throw new UnsafeUrl(settings.allowHttp() ? "webhook_url must use https or http" : "webhook_url must use https");
        }
        if (uri.isOpaque()) {
            throw new UnsafeUrl("webhook_url must be an absolute URL");
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new UnsafeUrl("webhook_url must name a host");
        }
        if (authority.indexOf('@') >= 0) {
            throw new UnsafeUrl("webhook_url must not contain user info (credentials before the host)");
        }
        Authority parts = Authority.split(authority);
        List<CidrBlock> allowed = settings.allowedCidrs().stream().map(CidrBlock::parse).toList();

        String host;
        if (parts.host().startsWith("[")) {
            InetAddress address = ipv6Literal(parts.host());
            refuseIfDenied(address, allowed, "webhook_url points to ");
            host = parts.host().toLowerCase(Locale.ROOT);
        } else if (endsInANumber(parts.host())) {
            InetAddress address = ipv4Literal(parts.host());
            refuseIfDenied(address, allowed, "webhook_url points to ");
            host = address.getHostAddress();
        } else {
            if (uri.getHost() == null) {
                throw new UnsafeUrl("webhook_url has an invalid host name");
            }
            host = uri.getHost().toLowerCase(Locale.ROOT);
            String bare = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            if (METADATA_NAMES.contains(bare)) {
                throw new UnsafeUrl("webhook_url host " + bare + " is a cloud metadata service");
            }
            InetAddress[] addresses;
            try {
                addresses = resolver.resolve(host);
            } catch (UnknownHostException e) {
                addresses = null;
            }
            if (addresses == null || addresses.length == 0) {
                throw new UnsafeUrl("webhook_url host " + host + " does not resolve");
            }
            for (InetAddress address : addresses) {
                refuseIfDenied(address, allowed, "webhook_url host " + host + " resolves to ");
            }
        }

        StringBuilder normal = new StringBuilder(scheme).append("://").append(host);
        if (parts.port() != null) {
            normal.append(':').append(parts.port());
        }
        if (uri.getRawPath() != null) {
            normal.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            normal.append('?').append(uri.getRawQuery());
        }
        try {
            return new URI(normal.toString());
        } catch (URISyntaxException e) {
            throw new UnsafeUrl("webhook_url is not a valid URL");
        }
    }

    /** Host and port of a server authority without user-info; the port is null when absent. */
    private record Authority(String host, Integer port) {
        static Authority split(String authority) {
            String host;
            String rest;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                if (close < 0) {
                    throw new UnsafeUrl("webhook_url has an invalid IPv6 address");
                }
                host = authority.substring(0, close + 1);
                rest = authority.substring(close + 1);
            } else {
                int colon = authority.lastIndexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                rest = colon < 0 ? "" : authority.substring(colon);
            }
            if (host.isEmpty()) {
                throw new UnsafeUrl("webhook_url must name a host");
            }
            if (rest.isEmpty() || rest.equals(":")) {
                return new Authority(host, null);
            }
            String digits = rest.substring(1);
            if (rest.charAt(0) != ':' || !digits.matches("[0-9]{1,5}")
                    || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
                throw new UnsafeUrl("webhook_url has an invalid port");
            }
            return new Authority(host, Integer.parseInt(digits));
        }
    }

    private static InetAddress ipv6Literal(String bracketed) {
        String inner = bracketed.substring(1, bracketed.length() - 1);
        if (inner.indexOf('%') >= 0) {
            throw new UnsafeUrl("webhook_url must not name an IPv6 zone");
        }
        // Brackets plus this character check keep InetAddress to parsing: it never looks such a host up.
        if (inner.indexOf(':') < 0 || !inner.matches("[0-9A-Fa-f:.]{2,45}")) {
            throw new UnsafeUrl("webhook_url has an invalid IPv6 address");
        }
        try {
            return InetAddress.getByName(bracketed);
        } catch (UnknownHostException e) {
            throw new UnsafeUrl("webhook_url has an invalid IPv6 address");
        }
    }

    /**
     * The WHATWG URL rule: a host whose last label is a number (decimal or {@code 0x} hex) is an
     * IPv4 address, and browsers, libc and proxies read it as one, so it must never be taken for a name.
     */
    static boolean endsInANumber(String host) {
        List<String> labels = labels(host);
        String last = labels.get(labels.size() - 1);
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return last.matches("0[xX][0-9A-Fa-f]*");
    }

    /**
     * Parses the IPv4 forms inet_aton and the WHATWG URL standard accept: one to four parts, each
     * decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes
     * ({@code 127.1}, {@code 10.1.2}, {@code 2130706433}). Written here rather than left to
     * InetAddress, which would send the forms it does not know to DNS.
     */
    static InetAddress ipv4Literal(String host) {
        List<String> parts = labels(host);
        if (parts.size() > 4) {
            throw notIpv4();
        }
        long[] numbers = new long[parts.size()];
        for (int i = 0; i < parts.size(); i++) {
            numbers[i] = ipv4Number(parts.get(i));
        }
        long value = 0;
        for (int i = 0; i < numbers.length - 1; i++) {
            if (numbers[i] > 255) {
                throw notIpv4();
            }
            value = value << 8 | numbers[i];
        }
        long last = numbers[numbers.length - 1];
        int lastBytes = 5 - numbers.length;
        if (last >= 1L << (8 * lastBytes)) {
            throw notIpv4();
        }
        value = value << (8 * lastBytes) | last;
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }

    private static long ipv4Number(String part) {
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            if (radix == 16) {
                return 0; // "0x" is zero, as browsers read it
            }
            throw notIpv4();
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0) {
                throw notIpv4();
            }
        }
        BigInteger n = new BigInteger(digits, radix);
        return n.bitLength() > 32 ? Long.MAX_VALUE : n.longValue();
    }

    private static UnsafeUrl notIpv4() {
        return new UnsafeUrl("webhook_url host is not a valid IPv4 address");
    }

    /** Dot-separated labels; one trailing dot (a fully qualified name) is ignored. */
    private static List<String> labels(String host) {
        List<String> labels = new ArrayList<>(Arrays.asList(host.split("\\.", -1)));
        if (labels.size() > 1 && labels.get(labels.size() - 1).isEmpty()) {
            labels.remove(labels.size() - 1);
        }
        return labels;
    }

    private record Denial(String what, String address) {
    }

    private static void refuseIfDenied(InetAddress address, List<CidrBlock> allowed, String prefix) {
        denial(address, allowed).ifPresent(d -> {
            throw new UnsafeUrl(prefix + d.what() + " (" + d.address() + ")");
        });
    }

    private static Optional<Denial> denial(InetAddress address, List<CidrBlock> allowed) {
        String text = text(address);
        if (allowed.stream().anyMatch(block -> block.contains(text))) {
            return Optional.empty();
        }
        byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            Optional<byte[]> embedded = embeddedIpv4(bytes);
            if (embedded.isPresent()) {
                try {
                    InetAddress ipv4 = InetAddress.getByAddress(embedded.get());
                    return denial(ipv4, allowed).map(d -> new Denial(d.what(), d.address() + " inside " + text));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("four bytes are an IPv4 address", e);
                }
            }
        }
        return DENIED.stream().filter(rule -> rule.block().contains(text)).findFirst()
                .map(rule -> new Denial(rule.what(), text));
    }

    /**
     * The IPv4 address an IPv6 address stands for: IPv4-mapped ({@code ::ffff:a.b.c.d}),
     * IPv4-compatible ({@code ::a.b.c.d}, but not {@code ::} or {@code ::1}), NAT64
     * ({@code 64:ff9b::/96}) and 6to4 ({@code 2002:aabb:ccdd::/16}). Packets to these reach that
     * IPv4 address, so it is the one judged.
     */
    private static Optional<byte[]> embeddedIpv4(byte[] b) {
        boolean firstTenZero = allZero(b, 0, 10);
        if (firstTenZero && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
            return Optional.of(Arrays.copyOfRange(b, 12, 16));
        }
        boolean unspecifiedOrLoopback = allZero(b, 12, 15) && (b[15] == 0 || b[15] == 1);
        if (firstTenZero && b[10] == 0 && b[11] == 0 && !unspecifiedOrLoopback) {
            return Optional.of(Arrays.copyOfRange(b, 12, 16));
        }
        if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B && allZero(b, 4, 12)) {
            return Optional.of(Arrays.copyOfRange(b, 12, 16));
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return Optional.of(Arrays.copyOfRange(b, 2, 6));
        }
        return Optional.empty();
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(InetAddress address) {
        String text = address.getHostAddress();
        int zone = address instanceof Inet6Address ? text.indexOf('%') : -1;
        return zone < 0 ? text : text.substring(0, zone);
    }

    private static Rule rule(String cidr, String what) {
        return new Rule(CidrBlock.parse(cidr), what);
    }
}
