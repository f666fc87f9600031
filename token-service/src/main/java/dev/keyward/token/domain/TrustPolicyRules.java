package dev.keyward.token.domain;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.ScopeSyntaxException;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a trust policy may say (SPEC "Secretless CI"): every field of a create request checked, 422
 * naming the field. The issuer's address rules (https, SSRF) are the service's, as they resolve DNS.
 */
public final class TrustPolicyRules {

    public static final int MAX_CLAIMS = 20;
    /** The shortest exchanged token a policy may allow. */
    public static final long MIN_TTL_SECONDS = 60;
    private static final Pattern CLAIM_NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,100}");
    /** Claims with a field of their own (or checked by the exchange itself) cannot be matched as claims. */
    private static final Set<String> RESERVED_CLAIMS = Set.of("iss", "aud", "sub", "exp", "nbf", "iat");

    private TrustPolicyRules() {
    }

    /** A checked policy, ready to store. */
    public record Checked(String name, String issuer, String audience, String subject, Map<String, String> claims,
                          Scopes scopes, long maxTtlSeconds) {
    }

    /**
     * @param maxTtlCap the longest token a policy may allow (the operator's cap); also the default
     * @throws ApiException 422 naming the field
     */
    public static Checked check(String name, String issuer, String audience, String subject, Map<String, String> claims,
                                Map<String, ? extends Collection<String>> scopes, Long maxTtl, long maxTtlCap) {
        String checkedName = TokenRules.name(name);
        String checkedIssuer = text("issuer", issuer, 2000);
        String checkedAudience = text("audience", audience, 500);
        String checkedSubject = glob("subject", subject);
        Map<String, String> checkedClaims = new LinkedHashMap<>();
        if (claims != null) {
            if (claims.size() > MAX_CLAIMS) {
                throw ApiException.invalid("claims may name at most " + MAX_CLAIMS + " claims");
            }
            for (Map.Entry<String, String> e : claims.entrySet()) {
                String claim = e.getKey();
                if (!CLAIM_NAME.matcher(claim).matches()) {
                    throw ApiException.invalid("claims: a claim name is 1-100 characters of letters, digits and _ . : / -");
                }
                if (RESERVED_CLAIMS.contains(claim)) {
                    throw ApiException.invalid("claims." + claim + ": use the policy's own field (issuer, audience, subject); "
                            + "time claims are always checked");
                }
                checkedClaims.put(claim, glob("claims." + claim, e.getValue()).toString());
            }
        }
        if (scopes == null || scopes.isEmpty()) {
            throw ApiException.invalid("scopes is required: what a matching workload's token may do");
        }
        Scopes checkedScopes;
        try {
            checkedScopes = Scopes.parse(scopes);
        } catch (ScopeSyntaxException e) {
            throw ApiException.invalid("scopes: " + e.getMessage());
        }
        checkedScopes.problemForKind(TokenKind.ORG).ifPresent(problem -> {
            throw ApiException.invalid("scopes: " + problem);
        });
        long ttl = maxTtl == null ? maxTtlCap : maxTtl;
        if (ttl < MIN_TTL_SECONDS || ttl > maxTtlCap) {
            throw ApiException.invalid("max_ttl must be between " + MIN_TTL_SECONDS + " and " + maxTtlCap + " seconds");
        }
        return new Checked(checkedName, checkedIssuer, checkedAudience, checkedSubject, checkedClaims, checkedScopes, ttl);
    }

    private static String text(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field + " is required");
        }
        String trimmed = value.strip();
        if (trimmed.length() > maxLength) {
            throw ApiException.invalid(field + " must be at most " + maxLength + " characters");
        }
        return trimmed;
    }

    private static String glob(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw ApiException.invalid(field + " is required (a pattern; * matches anything)");
        }
        try {
            return ClaimGlob.of(value).toString();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field + " " + e.getMessage());
        }
    }
}
