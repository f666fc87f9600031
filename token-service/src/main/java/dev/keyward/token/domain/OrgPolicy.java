package dev.keyward.token.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.contract.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An org's policy: the rules a new token must meet, what every service's verifier enforces
 * (rate limits, JWT lifetime, notice days), and the caps only a platform operator may change.
 * The wire form ({@link #toWire}) and the rules of a change ({@link #patched}) live here, so the
 * API, the events and the UI agree on one vocabulary.
 *
 * @param defaultTtlSeconds   lifetime when a request names no {@code expires_in} ({@code default_ttl})
 * @param minExpiresInSeconds smallest allowed {@code expires_in} (fixed at the contract's 3,600 s)
 * @param maxExpiresInSeconds largest allowed {@code expires_in} ({@code max_ttl})
 * @param allowNeverExpiring  whether {@code expires_in: 0} (never) is allowed
 * @param maxActivePerUser    active tokens one creator (the root of a creation chain) may have ({@code max_tokens_per_creator})
 * @param maxActivePerOrg     active tokens the org may have ({@code max_tokens_per_org})
 * @param defaultCidrs        CIDR blocks applied when a request names none ({@code default_allowed_cidrs})
 * @param maxJwtLifetimeSeconds the longest {@code exp - iat} of a customer-signed JWT
 * @param rateLimitProd       requests/s per prod token; null: the services' default
 * @param rateLimitDev        requests/s per dev token; null: the services' default
 * @param noticeDays          days before expiry that a token gets its notice and the {@code Sunset} header
 * @param leakAction          {@code block} or {@code block_and_revoke}
 * @param caps                the operator's caps
 */
public record OrgPolicy(long defaultTtlSeconds, long minExpiresInSeconds, long maxExpiresInSeconds,
                        boolean allowNeverExpiring, int maxActivePerUser, int maxActivePerOrg,
                        List<String> defaultCidrs, long maxJwtLifetimeSeconds, Double rateLimitProd, Double rateLimitDev,
                        int noticeDays, String leakAction, Caps caps) {

    /**
     * What an org admin may not go beyond; set by platform operators.
     *
     * @param maxTtlSeconds         ceiling of {@code max_ttl}
     * @param maxTokensPerOrg       ceiling of {@code max_tokens_per_org}
     * @param maxJwtLifetimeSeconds ceiling of {@code max_jwt_lifetime}
     * @param rateLimitProd         ceiling of {@code rate_limits.prod}; null: none
     * @param rateLimitDev          ceiling of {@code rate_limits.dev}; null: none
     */
    public record Caps(long maxTtlSeconds, int maxTokensPerOrg, long maxJwtLifetimeSeconds, Double rateLimitProd,
                       Double rateLimitDev) {
        public static final Caps DEFAULT = new Caps(31_536_000, 1_000, Duration.ofDays(7).toSeconds(), null, null);
    }

    public static final String BLOCK = "block";
    public static final String BLOCK_AND_REVOKE = "block_and_revoke";
    public static final int MAX_NOTICE_DAYS = 90;
    private static final long MIN_TTL = 3_600;
    private static final long MIN_JWT_LIFETIME = 60;

    /** The contract's defaults: 90 days, 3,600–31,536,000 s, no never-expiring tokens, 12 per creator, 1,000 per org, 24 h JWTs, 14 days' notice. */
    public static final OrgPolicy DEFAULT = new OrgPolicy(Duration.ofDays(90).toSeconds(), MIN_TTL, 31_536_000,
            false, 12, 1_000, List.of(), 86_400, null, null, 14, BLOCK_AND_REVOKE, Caps.DEFAULT);

    /** The fields of {@code PATCH /v1/orgs/{org}/policy}; {@code caps} only for operators. */
    private static final Set<String> FIELDS = Set.of("default_ttl", "max_ttl", "allow_never_expiring",
            "max_tokens_per_creator", "max_tokens_per_org", "default_allowed_cidrs", "max_jwt_lifetime", "rate_limits",
            "notice_days", "leak_action", "caps");
    private static final Set<String> CAP_FIELDS = Set.of("max_ttl", "max_tokens_per_org", "max_jwt_lifetime", "rate_limits");

    public OrgPolicy {
        defaultCidrs = defaultCidrs == null ? List.of() : List.copyOf(defaultCidrs);
        Objects.requireNonNull(caps, "caps");
    }

    /**
     * When a token created at {@code now} with the requested {@code expiresIn} expires; empty for never.
     *
     * @throws ApiException 422 when {@code expiresIn} is outside the policy
     */
    public Optional<Instant> expiryFor(Long expiresIn, Instant now) {
        if (expiresIn == null) {
            return Optional.of(now.plusSeconds(defaultTtlSeconds));
        }
        if (expiresIn == 0) {
            if (!allowNeverExpiring) {
                throw ApiException.invalid("expires_in 0 (never expires) is not allowed by this org's policy");
            }
            return Optional.empty();
        }
        if (expiresIn < minExpiresInSeconds || expiresIn > maxExpiresInSeconds) {
            throw ApiException.invalid("expires_in must be between " + minExpiresInSeconds + " and "
                    + maxExpiresInSeconds + " seconds" + (allowNeverExpiring ? ", or 0 for never" : ""));
        }
        return Optional.of(now.plusSeconds(expiresIn));
    }

    /**
     * The wire form of {@code GET /v1/orgs/{org}/policy}; unset rate limits show the services'
     * defaults ({@code defaultProd}, {@code defaultDev}).
     */
    public Map<String, Object> toWire(double defaultProd, double defaultDev) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("default_ttl", defaultTtlSeconds);
        wire.put("max_ttl", maxExpiresInSeconds);
        wire.put("allow_never_expiring", allowNeverExpiring);
        wire.put("max_tokens_per_creator", maxActivePerUser);
        wire.put("max_tokens_per_org", maxActivePerOrg);
        wire.put("default_allowed_cidrs", defaultCidrs);
        wire.put("max_jwt_lifetime", maxJwtLifetimeSeconds);
        wire.put("rate_limits", rates(rateLimitProd == null ? defaultProd : rateLimitProd,
                rateLimitDev == null ? defaultDev : rateLimitDev));
        wire.put("notice_days", noticeDays);
        wire.put("leak_action", leakAction);
        Map<String, Object> capsWire = new LinkedHashMap<>();
        capsWire.put("max_ttl", caps.maxTtlSeconds());
        capsWire.put("max_tokens_per_org", caps.maxTokensPerOrg());
        capsWire.put("max_jwt_lifetime", caps.maxJwtLifetimeSeconds());
        capsWire.put("rate_limits", caps.rateLimitProd() == null && caps.rateLimitDev() == null ? null
                : rates(caps.rateLimitProd(), caps.rateLimitDev()));
        wire.put("caps", capsWire);
        return wire;
    }

    private static Map<String, Object> rates(Double prod, Double dev) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prod", prod);
        m.put("dev", dev);
        return m;
    }

    /**
     * This policy with {@code patch} (a JSON object of the fields to change) applied. A field named
     * is set; {@code rate_limits: null} returns to the services' defaults. An org admin may not
     * touch {@code caps} (403) nor go beyond them (422); an operator's lower cap also lowers the
     * value it bounds.
     *
     * @throws ApiException 400 for a wrong JSON type, 422 for an unknown field or a value out of range (naming the field)
     */
    public OrgPolicy patched(JsonNode patch, boolean operator) {
        if (patch == null || !patch.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object of the policy fields to change");
        }
        for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new ApiException(422, "unknown_field", "unknown policy field '" + field + "'; fields: "
                        + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        Caps c = caps;
        if (patch.has("caps")) {
            if (!operator) {
                throw new ApiException(403, "forbidden", "caps are set by platform operators only");
            }
            c = patchCaps(patch.get("caps"), c);
        }
        long maxTtl = longField(patch, "max_ttl", maxExpiresInSeconds);
        if (!patch.has("max_ttl")) {
            maxTtl = Math.min(maxTtl, c.maxTtlSeconds());
        }
        check(maxTtl >= MIN_TTL && maxTtl <= c.maxTtlSeconds(), "max_ttl",
                "must be between " + MIN_TTL + " and the cap of " + c.maxTtlSeconds() + " seconds");
        long defaultTtl = longField(patch, "default_ttl", Math.min(defaultTtlSeconds, maxTtl));
        check(defaultTtl >= MIN_TTL && defaultTtl <= maxTtl, "default_ttl",
                "must be between " + MIN_TTL + " and max_ttl (" + maxTtl + ") seconds");
        boolean never = patch.has("allow_never_expiring") ? bool(patch, "allow_never_expiring") : allowNeverExpiring;
        int perOrg = (int) longField(patch, "max_tokens_per_org", Math.min(maxActivePerOrg, c.maxTokensPerOrg()));
        check(perOrg >= 1 && perOrg <= c.maxTokensPerOrg(), "max_tokens_per_org",
                "must be between 1 and the cap of " + c.maxTokensPerOrg());
        int perCreator = (int) longField(patch, "max_tokens_per_creator", Math.min(maxActivePerUser, perOrg));
        check(perCreator >= 1 && perCreator <= perOrg, "max_tokens_per_creator",
                "must be between 1 and max_tokens_per_org (" + perOrg + ")");
        List<String> cidrs = defaultCidrs;
        if (patch.has("default_allowed_cidrs")) {
            JsonNode list = patch.get("default_allowed_cidrs");
            if (!list.isArray()) {
                throw typeError("default_allowed_cidrs", "an array of CIDR blocks");
            }
            List<String> blocks = new ArrayList<>();
            for (JsonNode b : list) {
                if (!b.isTextual()) {
                    throw typeError("default_allowed_cidrs", "an array of CIDR blocks");
                }
                blocks.add(b.asText());
            }
            try {
                cidrs = CidrBlocks.parseAll(blocks);
            } catch (ApiException e) {
                throw new ApiException(422, "invalid_request", "default_allowed_cidrs: " + e.getMessage());
            }
        }
        long jwt = longField(patch, "max_jwt_lifetime", Math.min(maxJwtLifetimeSeconds, c.maxJwtLifetimeSeconds()));
        check(jwt >= MIN_JWT_LIFETIME && jwt <= c.maxJwtLifetimeSeconds(), "max_jwt_lifetime",
                "must be between " + MIN_JWT_LIFETIME + " and the cap of " + c.maxJwtLifetimeSeconds() + " seconds");
        Double prod = capped(rateLimitProd, c.rateLimitProd());
        Double dev = capped(rateLimitDev, c.rateLimitDev());
        if (patch.has("rate_limits")) {
            JsonNode r = patch.get("rate_limits");
            if (r.isNull()) {
                prod = null;
                dev = null;
            } else if (!r.isObject()) {
                throw typeError("rate_limits", "an object {prod, dev} of requests per second, or null");
            } else {
                for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
                    String f = it.next();
                    if (!f.equals("prod") && !f.equals("dev")) {
                        throw new ApiException(422, "unknown_field", "unknown field 'rate_limits." + f + "'; use prod and dev");
                    }
                }
                prod = r.has("prod") ? rate(r.get("prod"), "rate_limits.prod", c.rateLimitProd()) : prod;
                dev = r.has("dev") ? rate(r.get("dev"), "rate_limits.dev", c.rateLimitDev()) : dev;
            }
        }
        int notice = (int) longField(patch, "notice_days", noticeDays);
        check(notice >= 0 && notice <= MAX_NOTICE_DAYS, "notice_days", "must be between 0 and " + MAX_NOTICE_DAYS);
        String leak = leakAction;
        if (patch.has("leak_action")) {
            JsonNode l = patch.get("leak_action");
            if (!l.isTextual()) {
                throw typeError("leak_action", "a string");
            }
            leak = l.asText();
            check(leak.equals(BLOCK) || leak.equals(BLOCK_AND_REVOKE), "leak_action",
                    "must be '" + BLOCK + "' or '" + BLOCK_AND_REVOKE + "'");
        }
        return new OrgPolicy(defaultTtl, minExpiresInSeconds, maxTtl, never, perCreator, perOrg, cidrs, jwt, prod, dev,
                notice, leak, c);
    }

    private static Caps patchCaps(JsonNode node, Caps c) {
        if (!node.isObject()) {
            throw typeError("caps", "an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!CAP_FIELDS.contains(f)) {
                throw new ApiException(422, "unknown_field", "unknown field 'caps." + f + "'; caps: "
                        + String.join(", ", CAP_FIELDS.stream().sorted().toList()));
            }
        }
        long maxTtl = longField(node, "max_ttl", c.maxTtlSeconds(), "caps.max_ttl");
        check(maxTtl >= MIN_TTL && maxTtl <= 10L * 31_536_000, "caps.max_ttl", "must be between " + MIN_TTL + " and 315360000 seconds");
        long perOrg = longField(node, "max_tokens_per_org", c.maxTokensPerOrg(), "caps.max_tokens_per_org");
        check(perOrg >= 1 && perOrg <= 1_000_000, "caps.max_tokens_per_org", "must be between 1 and 1000000");
        long jwt = longField(node, "max_jwt_lifetime", c.maxJwtLifetimeSeconds(), "caps.max_jwt_lifetime");
        check(jwt >= MIN_JWT_LIFETIME && jwt <= 31_536_000, "caps.max_jwt_lifetime",
                "must be between " + MIN_JWT_LIFETIME + " and 31536000 seconds");
        Double prod = c.rateLimitProd();
        Double dev = c.rateLimitDev();
        if (node.has("rate_limits")) {
            JsonNode r = node.get("rate_limits");
            if (r.isNull()) {
                prod = null;
                dev = null;
            } else if (!r.isObject()) {
                throw typeError("caps.rate_limits", "an object {prod, dev}, or null");
            } else {
                prod = r.has("prod") ? rate(r.get("prod"), "caps.rate_limits.prod", null) : prod;
                dev = r.has("dev") ? rate(r.get("dev"), "caps.rate_limits.dev", null) : dev;
            }
        }
        return new Caps(maxTtl, (int) perOrg, jwt, prod, dev);
    }

    /** A rate under a (new) cap: an unset rate under a cap becomes the cap, so the cap holds whatever the service default. */
    private static Double capped(Double value, Double cap) {
        if (value == null) {
            return cap;
        }
        if (cap == null) {
            return value;
        }
        return Double.valueOf(Math.min(value, cap));
    }

    private static Double rate(JsonNode n, String field, Double cap) {
        if (!n.isNumber()) {
            throw typeError(field, "a number of requests per second");
        }
        double v = n.asDouble();
        check(v > 0 && v <= 1_000_000, field, "must be above 0 and at most 1000000 requests per second");
        if (cap != null) {
            check(v <= cap, field, "must not exceed the operator's cap of " + cap + " requests per second");
        }
        return v;
    }

    private static long longField(JsonNode patch, String field, long current) {
        return longField(patch, field, current, field);
    }

    private static long longField(JsonNode patch, String field, long current, String name) {
        if (!patch.has(field)) {
            return current;
        }
        JsonNode n = patch.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw typeError(name, "an integer");
        }
        return n.asLong();
    }

    private static boolean bool(JsonNode patch, String field) {
        JsonNode n = patch.get(field);
        if (!n.isBoolean()) {
            throw typeError(field, "true or false");
        }
        return n.asBoolean();
    }

    private static void check(boolean ok, String field, String rule) {
        if (!ok) {
            throw new ApiException(422, "invalid_request", field + " " + rule);
        }
    }

    private static ApiException typeError(String field, String expected) {
        return ApiException.wrongType(field, expected);
    }
}
