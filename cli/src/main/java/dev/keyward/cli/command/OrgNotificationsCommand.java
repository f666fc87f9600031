package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.output.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keyward org notifications ...}: where an org's expiry notices go (all need org:admin). */
@Command(name = "notifications", mixinStandardHelpOptions = true,
        description = "Show, change and test where an org's expiry notices go: a contact e-mail and a signed webhook.",
        subcommands = {OrgNotificationsCommand.Show.class, OrgNotificationsCommand.SetNotifications.class,
                OrgNotificationsCommand.Test.class})
public final class OrgNotificationsCommand extends GroupCommand {

    /** A webhook secret longer than this is refused by the service anyway; reading stops here. */
    private static final int SECRET_READ_LIMIT = 4096;

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the settings (the webhook secret only as set or not).")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode settings = ctx.api().get(Service.TOKEN, path(org), null);
            if (ctx.jsonOutput()) {
                ctx.printJson(settings);
                return;
            }
            ctx.print(settingsTable(settings));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Change the settings given and keep the others.",
                    "The webhook URL must be https and public. The secret that signs deliveries is read",
                    "from standard input, so it stays out of shell history:",
                    "  keyward org notifications set team-blue \\",
                    "      --webhook-url https://hooks.example.com/kw --webhook-secret-stdin < secret-file"})
    static final class SetNotifications implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Option(names = "--contact-email", paramLabel = "EMAIL",
                description = "where notices go when a token's creator has no e-mail; '' removes it")
        String contactEmail;

        @Option(names = "--webhook-url", paramLabel = "URL", description = "https URL that receives signed notices; '' removes the webhook and its secret")
        String webhookUrl;

        @Option(names = "--webhook-secret-stdin",
                description = "read the webhook's signing secret (16-200 characters) from standard input (a prompt on a terminal)")
        boolean webhookSecretStdin;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            checkOptions();
            String secret = webhookSecretStdin ? readSecret() : null;
            // The service replaces all three settings on PUT; reading them first keeps those not named here.
            JsonNode current = ctx.api().get(Service.TOKEN, path(org), null);
            JsonNode saved = ctx.api().put(Service.TOKEN, path(org), body(current, secret));
            if (ctx.jsonOutput()) {
                ctx.printJson(saved);
                return;
            }
            ctx.print(settingsTable(saved));
            ctx.note("Saved the notification settings of org " + org + ".");
        }

        /** The usage errors, before anything is read or sent. */
        void checkOptions() {
            if (contactEmail == null && webhookUrl == null && !webhookSecretStdin) {
                throw new ParameterException(spec.commandLine(),
                        "name at least one setting to change: --contact-email, --webhook-url or --webhook-secret-stdin");
            }
            if (webhookSecretStdin && webhookUrl != null && webhookUrl.isBlank()) {
                throw new ParameterException(spec.commandLine(),
                        "--webhook-url '' removes the webhook and its secret: leave out --webhook-secret-stdin");
            }
        }

        /** The PUT body: the settings named here over the {@code current} ones; '' is a removal. */
        Map<String, Object> body(JsonNode current, String secret) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("contact_email", contactEmail != null ? emptyToNull(contactEmail)
                    : TokenCommand.textOrNull(current.path("contact_email")));
            body.put("webhook_url", webhookUrl != null ? emptyToNull(webhookUrl)
                    : TokenCommand.textOrNull(current.path("webhook_url")));
            if (secret != null) {
                body.put("webhook_secret", secret);
            } else if (webhookUrl != null && webhookUrl.isBlank()) {
                body.put("webhook_secret", null);
            }
            return body;
        }

        private String readSecret() {
            java.io.Console console = System.console();
            String secret;
            if (console != null) {
                char[] typed = console.readPassword("Webhook secret (not shown): ");
                secret = typed == null ? "" : new String(typed);
            } else {
                try {
                    secret = new String(System.in.readNBytes(SECRET_READ_LIMIT), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the webhook secret from standard input", e);
                }
            }
            secret = secret.replaceAll("[\r\n]+$", "");
            if (secret.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--webhook-secret-stdin: standard input held no secret");
            }
            return secret;
        }

        private static String emptyToNull(String value) {
            return value.isBlank() ? null : value.strip();
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true,
            description = "Send a signed ping to the org's webhook now; exit 0 when it answered 2xx, 1 otherwise.")
    static final class Test implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ORG")
        String org;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode outcome = ctx.api().post(Service.TOKEN, path(org) + "/test", null);
            boolean delivered = outcome.path("delivered").asBoolean(false);
            String status = TokenCommand.textOrNull(outcome.path("status"));
            String error = TokenCommand.textOrNull(outcome.path("error"));
            if (ctx.jsonOutput()) {
                ctx.printJson(outcome);
            } else {
                Table table = new Table("FIELD", "VALUE");
                table.row("webhook url", TokenCommand.textOrNull(outcome.path("webhook_url")));
                table.row("delivered", delivered ? "yes" : "no");
                table.row("http status", status);
                table.row("error", error);
                ctx.print(table);
            }
            if (!delivered) {
                throw CliException.failed("the test ping was not delivered: "
                                + (error != null ? error : status != null ? "HTTP " + status : "no answer"),
                        "check that the receiver is up and answers 2xx to a POST");
            }
        }
    }

    static String path(String org) {
        return OrgCommand.orgPath(org) + "/notifications";
    }

    static Table settingsTable(JsonNode s) {
        Table table = new Table("FIELD", "VALUE");
        table.row("contact email", TokenCommand.textOrNull(s.path("contact_email")));
        table.row("webhook url", TokenCommand.textOrNull(s.path("webhook_url")));
        table.row("webhook secret", s.path("webhook_secret_set").asBoolean(false) ? "set" : "not set");
        return table;
    }
}
