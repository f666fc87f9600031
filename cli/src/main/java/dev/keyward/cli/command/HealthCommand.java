package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.output.Table;
import java.net.http.HttpResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keyward health}: readiness of the three services, and failed-authentication health of the
 * org. Exit 0 all ready and auth health ok/degraded; 1 a service not ready or auth health alert;
 * 5 a service unreachable.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Check each service's readiness and the org's failed-authentication health.",
                "Readiness: /q/health/ready; auth health: /v1/auth/health (needs audit:read; skipped without credentials)."})
public final class HealthCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--no-auth", description = "only check service readiness")
    boolean noAuth;

    @Override
    public void run() {
        Context ctx = Context.of(spec);
        ObjectNode result = ctx.json().createObjectNode();
        Table table = new Table("SERVICE", "URL", "READY");
        int exit = ExitCode.OK;
        for (Service service : Service.values()) {
            String state;
            try {
                HttpResponse<String> r = ctx.api().probe(service, "/q/health/ready");
                state = r.statusCode() == 200 ? "UP" : "DOWN (HTTP " + r.statusCode() + ")";
                if (r.statusCode() != 200) {
                    exit = Math.max(exit, ExitCode.FAILED);
                }
            } catch (CliException e) {
                state = "UNREACHABLE";
                exit = ExitCode.UNREACHABLE;
            }
            table.row(service.displayName(), ctx.settings().url(service), state);
            result.put(service.displayName(), state);
        }
        String authStatus = null;
        JsonNode auth = null;
        boolean haveCredentials = ctx.credentials().fromEnvironment() || ctx.sessions().load().isPresent();
        if (!noAuth && haveCredentials && !"UNREACHABLE".equals(result.path(Service.AUDIT.displayName()).asText())) {
            try {
                auth = ctx.api().get(Service.AUDIT, "/v1/auth/health", null);
                authStatus = auth.path("status").asText("?");
                if ("alert".equals(authStatus)) {
                    exit = Math.max(exit, ExitCode.FAILED);
                }
            } catch (CliException e) {
                authStatus = "unavailable: " + e.getMessage();
            }
            result.set("auth_health", auth != null ? auth : ctx.json().getNodeFactory().textNode(authStatus));
        }
        if (ctx.jsonOutput()) {
            ctx.printJson(result);
        } else {
            ctx.print(table);
            if (authStatus != null) {
                ctx.out().println();
                ctx.out().println("Failed-authentication health" + (auth != null ? " of org " + auth.path("org").asText() : "")
                        + ": " + authStatus);
                if (auth != null) {
                    Table offenders = new Table("KIND", "SOURCE", "FAILURES (SHORT)", "FAILURES (LONG)", "LEVEL");
                    for (JsonNode o : auth.path("offenders")) {
                        offenders.row(o.path("kind").asText(), o.path("value").asText(), o.path("failures_short").asText(),
                                o.path("failures_long").asText(), o.path("level").asText());
                    }
                    if (offenders.size() > 0) {
                        ctx.print(offenders);
                    }
                }
            } else if (!noAuth && !haveCredentials) {
                ctx.note("(failed-authentication health skipped: not signed in; set KEYWARD_TOKEN or run keyward login)");
            }
            ctx.out().flush();
        }
        if (exit != ExitCode.OK) {
            throw new CliException(exit, exit == ExitCode.UNREACHABLE ? "a service cannot be reached" : "Keyward is not healthy",
                    exit == ExitCode.UNREACHABLE ? "is it running (./keyward up)? check --url/--repo-url/--audit-url" : null);
        }
    }
}
