package dev.keyward.cli.parse;

import dev.keyward.contract.Permission;
import dev.keyward.contract.ScopeSyntaxException;
import dev.keyward.contract.Scopes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command-line spelling of scopes: each {@code --scope RESOURCE=PERM[,PERM...]} names one
 * resource, e.g. {@code repos:team/*=git:read,git:write} or {@code org=org:read}; repeating a
 * resource adds permissions. What a resource or permission may be is the verification module's
 * grammar ({@link Scopes}); this class only splits the flag.
 */
public final class ScopeFlags {

    private ScopeFlags() {
    }

    /**
     * Turns the flags into the wire form of {@code scopes} (canonical: shorthand expanded, sorted).
     *
     * @throws IllegalArgumentException saying which flag is wrong and why
     */
    public static Map<String, List<String>> toWire(List<String> flags) {
        if (flags == null || flags.isEmpty()) {
            throw new IllegalArgumentException("at least one --scope is required, e.g. --scope 'repos:team/*=git:read'");
        }
        Map<String, Set<String>> merged = new LinkedHashMap<>();
        for (String flag : flags) {
            int eq = flag.indexOf('=');
            if (eq <= 0 || eq == flag.length() - 1) {
                throw new IllegalArgumentException("--scope '" + flag
                        + "' must be RESOURCE=PERMISSION[,PERMISSION...], e.g. 'repos:team/*=git:read,git:write' or 'org=org:read'");
            }
            String resource = flag.substring(0, eq).trim();
            Set<String> perms = merged.computeIfAbsent(resource, r -> new LinkedHashSet<>());
            for (String p : flag.substring(eq + 1).split(",")) {
                String perm = p.trim();
                if (perm.isEmpty()) {
                    throw new IllegalArgumentException("--scope '" + flag + "' has an empty permission");
                }
                perms.add(perm);
            }
        }
        Map<String, List<String>> wire = new LinkedHashMap<>();
        merged.forEach((r, p) -> wire.put(r, new ArrayList<>(p)));
        try {
            return Scopes.parse(wire).toWire();
        } catch (ScopeSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The {@code scope} field of a token exchange (space-separated items) from its {@code --scope} flags:
     * each a {@code RESOURCE=PERM[,PERM...]} as for {@link #toWire}, or a bare permission ({@code git:read}:
     * that permission on every resource of the trust policy that holds it). Empty for no flags (the
     * policy's whole scopes).
     *
     * @throws IllegalArgumentException saying which flag is wrong and why
     */
    public static String toRequestedScope(List<String> flags) {
        List<String> resourceFlags = new ArrayList<>();
        Set<String> bare = new LinkedHashSet<>();
        for (String flag : flags) {
            String item = flag.trim();
            if (item.contains("=")) {
                resourceFlags.add(item);
            } else {
                bare.add(Permission.parse(item).map(Permission::wireName).orElseThrow(() -> new IllegalArgumentException(
                        "--scope '" + flag + "' is neither RESOURCE=PERMISSION[,PERMISSION...] nor a permission"
                                + " (e.g. 'repos:acme/app=git:read' or 'git:read')")));
            }
        }
        List<String> items = new ArrayList<>();
        if (!resourceFlags.isEmpty()) {
            items.add(display(toWire(resourceFlags)));
        }
        items.addAll(bare);
        return String.join(" ", items);
    }

    /** The wire form back in flag spelling, for display: {@code repos:team/*=git:read,git:write org=org:read}. */
    public static String display(Map<String, List<String>> wire) {
        List<String> parts = new ArrayList<>();
        wire.forEach((resource, perms) -> parts.add(resource + "=" + String.join(",", perms)));
        return String.join(" ", parts);
    }
}
