package dev.keyward.contract;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address).
 * Plain Java: literals only, never a DNS lookup. IPv4-mapped IPv6 client addresses
 * ({@code ::ffff:10.1.2.3}) match IPv4 ranges.
 */
public final class CidrBlock {

    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final byte[] network;
    private final int prefixLength;
    private final String text;

    private CidrBlock(byte[] network, int prefixLength, String text) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.text = text;
    }

    /**
     * Parses {@code address[/prefix]}.
     *
     * @throws IllegalArgumentException when it is not an IP literal with a prefix in range
     */
    public static CidrBlock parse(String cidr) {
        if (cidr == null) {
            throw new IllegalArgumentException("CIDR must not be null");
        }
        String trimmed = cidr.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        byte[] bytes = literal(address).orElseThrow(() -> new IllegalArgumentException("not an IP address: " + cidr));
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = trimmed.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " exceeds " + max + " in " + cidr);
            }
        }
        return new CidrBlock(mask(bytes, prefix), prefix, trimmed);
    }

    /** Whether {@code address} (an IP literal) lies in this range; false for anything unparseable. */
    public boolean contains(String address) {
        Optional<byte[]> bytes = literal(address);
        if (bytes.isEmpty() || bytes.get().length != network.length) {
            return false;
        }
        return Arrays.equals(mask(bytes.get(), prefixLength), network);
    }

    /** Whether every address of {@code other} lies in this range (same address family, as narrow or narrower). */
    public boolean encloses(CidrBlock other) {
        return other.network.length == network.length && other.prefixLength >= prefixLength
                && Arrays.equals(mask(other.network, prefixLength), network);
    }

    private static Optional<byte[]> literal(String address) {
        if (address == null) {
            return Optional.empty();
        }
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        // The character check keeps InetAddress from ever resolving a host name.
        if (!LITERAL.matcher(a).matches() || (a.indexOf(':') < 0 && !a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}"))) {
            return Optional.empty();
        }
        if (a.indexOf(':') < 0 && Arrays.stream(a.split("\\.")).anyMatch(octet -> Integer.parseInt(octet) > 255)) {
            // InetAddress would take 300.1.1.1 for a host name and look it up.
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(a).getAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xFF << (8 - bits)));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrBlock other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    /** The canonical form {@code network/prefix}, e.g. {@code 192.168.0.1/32} or {@code 0:0:0:0:0:0:0:1/128}. */
    public String canonical() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a parsed address has a valid length", e);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
