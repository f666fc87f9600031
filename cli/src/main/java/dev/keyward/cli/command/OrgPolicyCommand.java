package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.cli.Context;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.parse.Durations;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward org policy ...}: an org's token policy ({@code org:admin}) and its caps (platform operators). */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = "Show or change an org's policy: token lifetimes and counts, CIDRs, JWT lifetime, rate limits, notices.",
        subcommands = {OrgPolicyCommand.Show.class, OrgPolicyCommand.SetPolicy.class})
public final class OrgPolicyCommand extends GroupCommand {

    /** The values of {@code leak_action}; the constants are the wire names, so picocli offers and reads them as written. */
    enum LeakAction { block, block_and_revoke }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show the policy in force (needs org:admin, or orgs:read).")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode policy = ctx.api().get(Service.TOKEN, OrgCommand.orgPath(org) + "/policy", null);
            if (ctx.jsonOutput()) {
                ctx.printJson(policy);
                return;
            }
            ctx.print(policyTable(policy));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Change the fields given and keep the others; prints the whole policy after.",
                    "Needs org:admin; the --cap-* options need orgs:write. Example:",
                    "  keyward org policy set team-blue --default-ttl 30d --max-tokens-per-creator 5"})
    static final class SetPolicy implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Option(names = "--default-ttl", paramLabel = "DURATION",
                description = "lifetime of a token whose request names none: 1h, 30d, 2w, seconds")
        String defaultTtl;

        @Option(names = "--max-ttl", paramLabel = "DURATION", description = "longest lifetime a token may ask for")
        String maxTtl;

        @Option(names = "--allow-never-expiring", paramLabel = "true|false", arity = "1",
                description = "whether tokens may be created with --expires-in 0 (never)")
        Boolean allowNeverExpiring;

        @Option(names = "--max-tokens-per-creator", paramLabel = "N",
                description = "active tokens per creator (the person or key at the root of the creation chain)")
        Integer maxTokensPerCreator;

        @Option(names = "--max-tokens-per-org", paramLabel = "N", description = "active tokens in the org (up to the operator's cap)")
        Integer maxTokensPerOrg;

        @Option(names = "--default-allowed-cidrs", paramLabel = "CIDR,...",
                description = "networks applied to a token that names none, e.g. 10.0.0.0/8,2001:db8::/32; '' clears")
        String defaultAllowedCidrs;

        @Option(names = "--max-jwt-lifetime", paramLabel = "DURATION", description = "longest exp - iat of the org's own signed JWTs")
        String maxJwtLifetime;

        @Option(names = "--rate-limit-prod", paramLabel = "N", description = "requests per second per prod key")
        BigDecimal rateLimitProd;

        @Option(names = "--rate-limit-dev", paramLabel = "N", description = "requests per second per dev key")
        BigDecimal rateLimitDev;

        @Option(names = "--notice-days", paramLabel = "N", description = "days before expiry that a token's notice is sent")
        Integer noticeDays;

        @Option(names = "--leak-action", paramLabel = "ACTION",
                description = "when a key is found leaked: ${COMPLETION-CANDIDATES}")
        LeakAction leakAction;

        @Option(names = "--cap-max-ttl", paramLabel = "DURATION", description = "operators: ceiling of --max-ttl")
        String capMaxTtl;

        @Option(names = "--cap-max-tokens-per-org", paramLabel = "N", description = "operators: ceiling of --max-tokens-per-org")
        Integer capMaxTokensPerOrg;

        @Option(names = "--cap-max-jwt-lifetime", paramLabel = "DURATION", description = "operators: ceiling of --max-jwt-lifetime")
        String capMaxJwtLifetime;

        @Option(names = "--cap-rate-limit-prod", paramLabel = "N", description = "operators: ceiling of --rate-limit-prod")
        BigDecimal capRateLimitProd;

        @Option(names = "--cap-rate-limit-dev", paramLabel = "N", description = "operators: ceiling of --rate-limit-dev")
        BigDecimal capRateLimitDev;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, Object> patch = patch();
            JsonNode policy = ctx.api().patch(Service.TOKEN, OrgCommand.orgPath(org) + "/policy", patch);
            if (ctx.jsonOutput()) {
                ctx.printJson(policy);
                return;
            }
            ctx.print(policyTable(policy));
            ctx.note("Changed " + String.join(", ", patch.keySet()) + " of org " + org + "'s policy.");
        }

        /** The body of {@code PATCH /v1/orgs/{org}/policy}: the fields given and no others; none is a usage error. */
        Map<String, Object> patch() {
            Map<String, Object> body = new LinkedHashMap<>();
            putSeconds(body, "default_ttl", "--default-ttl", defaultTtl);
            putSeconds(body, "max_ttl", "--max-ttl", maxTtl);
            putIfGiven(body, "allow_never_expiring", allowNeverExpiring);
            putIfGiven(body, "max_tokens_per_creator", maxTokensPerCreator);
            putIfGiven(body, "max_tokens_per_org", maxTokensPerOrg);
            if (defaultAllowedCidrs != null) {
                body.put("default_allowed_cidrs", cidrs(defaultAllowedCidrs));
            }
            putSeconds(body, "max_jwt_lifetime", "--max-jwt-lifetime", maxJwtLifetime);
            putIfGiven(body, "rate_limits", rates(rateLimitProd, rateLimitDev));
            putIfGiven(body, "notice_days", noticeDays);
            putIfGiven(body, "leak_action", leakAction == null ? null : leakAction.name());
            Map<String, Object> caps = new LinkedHashMap<>();
            putSeconds(caps, "max_ttl", "--cap-max-ttl", capMaxTtl);
            putIfGiven(caps, "max_tokens_per_org", capMaxTokensPerOrg);
            putSeconds(caps, "max_jwt_lifetime", "--cap-max-jwt-lifetime", capMaxJwtLifetime);
            putIfGiven(caps, "rate_limits", rates(capRateLimitProd, capRateLimitDev));
            if (!caps.isEmpty()) {
                body.put("caps", caps);
            }
            if (body.isEmpty()) {
                throw new ParameterException(spec.commandLine(),
                        "name at least one policy field to change, e.g. --default-ttl 30d (see --help)");
            }
            return body;
        }

        private void putSeconds(Map<String, Object> body, String field, String flag, String duration) {
            if (duration != null) {
                body.put(field, TokenCommand.seconds(spec, flag, duration));
            }
        }

        /** Only the rates given: the service keeps the other one as it is. */
        private static Map<String, Object> rates(BigDecimal prod, BigDecimal dev) {
            Map<String, Object> rates = new LinkedHashMap<>();
            putIfGiven(rates, "prod", prod);
            putIfGiven(rates, "dev", dev);
            return rates.isEmpty() ? null : rates;
        }

        private List<String> cidrs(String text) {
            List<String> blocks = new ArrayList<>();
            if (text.isBlank()) {
                return blocks;
            }
            for (String part : text.split(",", -1)) {
                if (part.isBlank()) {
                    throw new ParameterException(spec.commandLine(),
                            "--default-allowed-cidrs: an empty entry in '" + text + "' (use '' alone to clear the list)");
                }
                blocks.add(part.strip());
            }
            return blocks;
        }

        private static void putIfGiven(Map<String, Object> body, String field, Object value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    /** The policy as a FIELD/VALUE table, each field named by the {@code set} option that changes it. */
    static Table policyTable(JsonNode p) {
        JsonNode caps = p.path("caps");
        Table table = new Table("FIELD", "VALUE");
        table.row("default-ttl", duration(p.path("default_ttl")));
        table.row("max-ttl", duration(p.path("max_ttl")));
        table.row("allow-never-expiring", TokenCommand.textOrNull(p.path("allow_never_expiring")));
        table.row("max-tokens-per-creator", TokenCommand.textOrNull(p.path("max_tokens_per_creator")));
        table.row("max-tokens-per-org", TokenCommand.textOrNull(p.path("max_tokens_per_org")));
        table.row("default-allowed-cidrs", p.path("default_allowed_cidrs").isArray() && p.path("default_allowed_cidrs").isEmpty()
                ? "any" : TokenCommand.join(p.path("default_allowed_cidrs")));
        table.row("max-jwt-lifetime", duration(p.path("max_jwt_lifetime")));
        table.row("rate-limit-prod", rate(p.path("rate_limits").path("prod"), null));
        table.row("rate-limit-dev", rate(p.path("rate_limits").path("dev"), null));
        table.row("notice-days", TokenCommand.textOrNull(p.path("notice_days")));
        table.row("leak-action", TokenCommand.textOrNull(p.path("leak_action")));
        table.row("cap-max-ttl", duration(caps.path("max_ttl")));
        table.row("cap-max-tokens-per-org", TokenCommand.textOrNull(caps.path("max_tokens_per_org")));
        table.row("cap-max-jwt-lifetime", duration(caps.path("max_jwt_lifetime")));
        table.row("cap-rate-limit-prod", rate(caps.path("rate_limits").path("prod"), "none"));
        table.row("cap-rate-limit-dev", rate(caps.path("rate_limits").path("dev"), "none"));
        return table;
    }

    /** Seconds in the form --default-ttl takes, with the seconds beside it: {@code 90d (7776000 s)}. */
    static String duration(JsonNode seconds) {
        if (!seconds.isNumber()) {
            return null;
        }
        long s = seconds.asLong();
        return s < 60 ? Durations.exact(s) : Durations.exact(s) + " (" + s + " s)";
    }

    static String rate(JsonNode perSecond, String whenUnset) {
        if (!perSecond.isNumber()) {
            return whenUnset;
        }
        return perSecond.decimalValue().stripTrailingZeros().toPlainString() + "/s";
    }
}
