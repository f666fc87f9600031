package dev.keyward.token.domain;

import dev.keyward.contract.ScopeSyntaxException;
import dev.keyward.contract.Scopes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code scope} parameter of a token exchange, which narrows what the trust policy grants. It is
 * space-separated items (RFC 6749 style); an item is {@code resource=perm[,perm]}
 * ({@code repos:acme/app=git:read}) or a bare permission ({@code git:read}: that permission on every
 * resource of the policy that grants it). The answer's {@code scope} is written the same way.
 */
public final class ExchangeScopes {

    public static final int MAX_LENGTH = 4_000;

    private ExchangeScopes() {
    }

    /** Why a requested scope cannot be granted; the message is safe to return. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The scopes to grant: the policy's when {@code requested} is absent, else the requested ones,
     * which must lie within the policy's.
     */
    public static Scopes grant(String requested, Scopes policy) throws Refused {
        if (requested == null || requested.isBlank()) {
            return policy;
        }
        if (requested.length() > MAX_LENGTH) {
            throw new Refused("scope is longer than " + MAX_LENGTH + " characters");
        }
        Map<String, List<String>> policyWire = policy.toWire();
        Map<String, Set<String>> wire = new LinkedHashMap<>();
        for (String item : requested.strip().split("\\s+")) {
            int eq = item.indexOf('=');
            if (eq >= 0) {
                String resource = item.substring(0, eq);
                String[] perms = item.substring(eq + 1).split(",");
                if (resource.isEmpty() || perms.length == 0) {
                    throw new Refused("scope item '" + shown(item) + "' must be resource=permission[,permission]");
                }
                for (String perm : perms) {
                    wire.computeIfAbsent(resource, r -> new LinkedHashSet<>()).add(perm);
                }
            } else {
                boolean granted = false;
                for (String resource : policyWire.keySet()) {
                    if (parse(Map.of(resource, List.of(item))).filter(s -> s.isSubsetOf(policy)).isPresent()) {
                        wire.computeIfAbsent(resource, r -> new LinkedHashSet<>()).add(item);
                        granted = true;
                    }
                }
                if (!granted) {
                    throw new Refused("the trust policy grants " + shown(item) + " on no resource");
                }
            }
        }
        Map<String, List<String>> asLists = new LinkedHashMap<>();
        wire.forEach((resource, perms) -> asLists.put(resource, new ArrayList<>(perms)));
        Scopes scopes;
        try {
            scopes = Scopes.parse(asLists);
        } catch (ScopeSyntaxException e) {
            throw new Refused("scope: " + e.getMessage());
        }
        List<String> excess = scopes.excessOver(policy);
        if (!excess.isEmpty()) {
            throw new Refused("scope is wider than the trust policy allows: " + String.join(", ", excess));
        }
        return scopes;
    }

    /** Scopes in the parameter's item form, e.g. {@code repos:acme/app=git:read,git:write org=org:read}. */
    public static String format(Scopes scopes) {
        List<String> items = new ArrayList<>();
        scopes.toWire().forEach((resource, perms) -> items.add(resource + "=" + String.join(",", perms)));
        return String.join(" ", items);
    }

    private static Optional<Scopes> parse(Map<String, List<String>> wire) {
        try {
            return Optional.of(Scopes.parse(wire));
        } catch (ScopeSyntaxException e) {
            return Optional.empty();
        }
    }

    // A client's text goes back in an error only when short and plain.
    private static String shown(String item) {
        return item.length() <= 100 && item.chars().allMatch(c -> c > 32 && c < 127) ? item : "…";
    }
}
