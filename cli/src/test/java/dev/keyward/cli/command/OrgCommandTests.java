package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.KeywardCommand;
import dev.keyward.cli.output.Table;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the org commands send and how they show what comes back, without a service: parse, then ask the command. */
class OrgCommandTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path config;

    /** The command object the arguments select, parsed and ready (its run() is not called). */
    private <T> T parsed(Class<T> type, String... args) {
        CommandLine cl = KeywardCommand.commandLine(Map.of("XDG_CONFIG_HOME", config.toString()), Clock.systemUTC(),
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CommandLine.ParseResult result = cl.parseArgs(args);
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return type.cast(result.commandSpec().userObject());
    }

    @Test
    void policySetSendsOnlyTheFieldsGivenInTheirWireUnits() throws Exception {
        Map<String, Object> patch = parsed(OrgPolicyCommand.SetPolicy.class, "org", "policy", "set", "team-blue",
                "--default-ttl", "30d", "--max-jwt-lifetime", "1h", "--max-tokens-per-creator", "3", "--notice-days", "7",
                "--allow-never-expiring", "true", "--rate-limit-dev", "2.5", "--leak-action", "block").patch();

        assertThat(JSON.writeValueAsString(patch)).isEqualTo("{\"default_ttl\":2592000,\"allow_never_expiring\":true,"
                + "\"max_tokens_per_creator\":3,\"max_jwt_lifetime\":3600,\"rate_limits\":{\"dev\":2.5},"
                + "\"notice_days\":7,\"leak_action\":\"block\"}");
    }

    @Test
    void policySetPutsTheOperatorsCapsUnderCaps() throws Exception {
        Map<String, Object> patch = parsed(OrgPolicyCommand.SetPolicy.class, "org", "policy", "set", "team-blue",
                "--cap-max-ttl", "2w", "--cap-max-tokens-per-org", "50", "--cap-rate-limit-prod", "100",
                "--max-tokens-per-org", "40").patch();

        assertThat(JSON.writeValueAsString(patch)).isEqualTo("{\"max_tokens_per_org\":40,"
                + "\"caps\":{\"max_ttl\":1209600,\"max_tokens_per_org\":50,\"rate_limits\":{\"prod\":100}}}");
    }

    @Test
    void defaultAllowedCidrsAreAListAndTheEmptyStringClearsThem() {
        assertThat(parsed(OrgPolicyCommand.SetPolicy.class, "org", "policy", "set", "o",
                "--default-allowed-cidrs", "10.0.0.0/8, 2001:db8::/32").patch())
                .containsExactly(entry("default_allowed_cidrs", List.of("10.0.0.0/8", "2001:db8::/32")));
        assertThat(parsed(OrgPolicyCommand.SetPolicy.class, "org", "policy", "set", "o", "--default-allowed-cidrs", "").patch())
                .containsExactly(entry("default_allowed_cidrs", List.of()));
    }

    @Test
    void notificationsSetKeepsWhatItDoesNotName() throws Exception {
        JsonNode current = JSON.readTree("{\"contact_email\":\"ops@example.com\",\"webhook_url\":\"https://hooks.example.com/kw\","
                + "\"webhook_secret_set\":true}");

        Map<String, Object> email = parsed(OrgNotificationsCommand.SetNotifications.class, "org", "notifications", "set", "o",
                "--contact-email", "sec@example.com").body(current, null);
        assertThat(email).containsExactly(entry("contact_email", "sec@example.com"),
                entry("webhook_url", "https://hooks.example.com/kw"));

        Map<String, Object> secret = parsed(OrgNotificationsCommand.SetNotifications.class, "org", "notifications", "set", "o",
                "--webhook-secret-stdin").body(current, "0123456789abcdef");
        assertThat(secret).containsEntry("webhook_secret", "0123456789abcdef").containsEntry("contact_email", "ops@example.com");
    }

    @Test
    void anEmptyWebhookUrlRemovesTheWebhookAndItsSecret() throws Exception {
        JsonNode current = JSON.readTree("{\"contact_email\":null,\"webhook_url\":\"https://hooks.example.com/kw\","
                + "\"webhook_secret_set\":true}");

        Map<String, Object> body = parsed(OrgNotificationsCommand.SetNotifications.class, "org", "notifications", "set", "o",
                "--webhook-url", "").body(current, null);

        assertThat(JSON.writeValueAsString(body)).isEqualTo("{\"contact_email\":null,\"webhook_url\":null,\"webhook_secret\":null}");
    }

    @Test
    void thePolicyTableNamesEachFieldByItsOptionAndShowsDurationsAsTyped() throws Exception {
        JsonNode policy = JSON.readTree("""
                {"default_ttl":7776000,"max_ttl":31536000,"allow_never_expiring":false,"max_tokens_per_creator":12,
                 "max_tokens_per_org":1000,"default_allowed_cidrs":[],"max_jwt_lifetime":5400,
                 "rate_limits":{"prod":100.0,"dev":2.5},"notice_days":14,"leak_action":"block_and_revoke",
                 "caps":{"max_ttl":31536000,"max_tokens_per_org":1000,"max_jwt_lifetime":604800,"rate_limits":null}}""");
        StringWriter out = new StringWriter();

        OrgPolicyCommand.policyTable(policy).print(new PrintWriter(out), Table.DEFAULT_WIDTH);

        assertThat(out.toString().lines()).contains(
                "default-ttl             90d (7776000 s)",
                "default-allowed-cidrs   any",
                "max-jwt-lifetime        1h30m (5400 s)",
                "rate-limit-prod         100/s",
                "rate-limit-dev          2.5/s",
                "leak-action             block_and_revoke",
                "cap-max-jwt-lifetime    7d (604800 s)",
                "cap-rate-limit-prod     none");
    }
}
