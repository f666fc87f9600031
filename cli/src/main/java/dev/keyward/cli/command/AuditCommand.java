package dev.keyward.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keyward.cli.CliException;
import dev.keyward.cli.Context;
import dev.keyward.cli.ExitCode;
import dev.keyward.cli.config.Service;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.output.Table;
import dev.keyward.cli.output.Terminal;
import dev.keyward.cli.output.Times;
import dev.keyward.cli.parse.TimeFlags;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code keyward audit ...}: the audit trail of audit-service (all need audit:read). */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Query, export and verify the org's audit trail.",
        subcommands = {AuditCommand.Events.class, AuditCommand.Export.class, AuditCommand.Verify.class})
public final class AuditCommand extends GroupCommand {

    /** The time range flags shared by the subcommands. */
    static final class Range {
        @Option(names = "--since", paramLabel = "TIME",
                description = "from this time: 2026-01-31T12:00:00Z, 2026-01-31, or an age such as 24h, 7d")
        String since;

        @Option(names = "--until", paramLabel = "TIME", description = "before this time (same forms as --since)")
        String until;

        void addTo(Map<String, String> query, CommandSpec spec, Context ctx) {
            try {
                query.put("since", TimeFlags.toInstant(since, ctx.clock()));
                query.put("until", TimeFlags.toInstant(until, ctx.clock()));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    @Command(name = "events", mixinStandardHelpOptions = true, description = "List events, newest first.")
    static final class Events implements Runnable {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Range range = new Range();

        @Option(names = "--type", description = "e.g. token:created, token:used, auth:failed")
        String type;

        @Option(names = "--token-id", paramLabel = "TOKEN_ID", description = "events about this token (tok_…)")
        String tokenId;

        @Option(names = "--actor", description = "events done by this actor (a token id or user id)")
        String actor;

        @Option(names = "--repo", description = "events about this repository")
        String repo;

        @Option(names = "--limit", defaultValue = "100", description = "at most this many events (default ${DEFAULT-VALUE})")
        int limit;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            if (limit < 1) {
                throw new ParameterException(spec.commandLine(), "--limit must be at least 1");
            }
            List<JsonNode> events = new ArrayList<>();
            String pageToken = null;
            do {
                Map<String, String> q = ApiClient.query();
                q.put("type", type);
                q.put("token_id", tokenId);
                q.put("actor", actor);
                q.put("repo", repo);
                range.addTo(q, spec, ctx);
                q.put("page_size", Integer.toString(Math.min(500, limit - events.size())));
                q.put("page_token", pageToken);
                JsonNode page = ctx.api().get(Service.AUDIT, "/v1/audit/events", q);
                for (JsonNode e : page.path("events")) {
                    if (events.size() < limit) {
                        events.add(e);
                    }
                }
                pageToken = TokenCommand.textOrNull(page.path("next_page_token"));
            } while (pageToken != null && events.size() < limit);
            if (ctx.jsonOutput()) {
                ArrayNode array = ctx.json().createArrayNode();
                events.forEach(array::add);
                ctx.printJson(array);
                return;
            }
            Table table = new Table("TIME", "TYPE", "SUBJECT", "ACTOR", "KEY", "REPO", "OPERATION", "OUTCOME", "CLIENT IP");
            for (JsonNode e : events) {
                JsonNode d = e.path("data");
                table.row(Times.toSecond(TokenCommand.textOrNull(e.path("time"))), e.path("type").asText(),
                        TokenCommand.textOrNull(e.path("subject")), TokenCommand.textOrNull(d.path("actor")),
                        TokenCommand.textOrNull(d.path("key_prefix")), TokenCommand.textOrNull(d.path("repo")),
                        TokenCommand.textOrNull(d.path("operation")), TokenCommand.textOrNull(d.path("outcome")),
                        TokenCommand.textOrNull(d.path("client_ip")));
            }
            ctx.print(table);
            ctx.note(events.size() + (events.size() == 1 ? " event" : " events")
                    + (pageToken != null ? " (more: raise --limit or narrow the filters)" : ""));
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Export events as NDJSON (one JSON object per line, oldest first) for compliance.",
                    "Writes to standard output, or to a file with -o."})
    static final class Export implements Runnable {
        /** NDJSON preferred; plain text also taken, as the body is line-delimited JSON either way. */
        static final String EXPORT_ACCEPT = "application/x-ndjson, text/plain;q=0.9, */*;q=0.1";

        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        Range range = new Range();

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write here (replaced only when the export completes)")
        Path output;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            Map<String, String> q = ApiClient.query();
            range.addTo(q, spec, ctx);
            Progress progress = new Progress(ctx, Terminal.stderrIsTerminal());
            long count;
            try (InputStream in = ctx.api().stream(Service.AUDIT, "/v1/audit/export", q, EXPORT_ACCEPT)) {
                if (output == null) {
                    Writer w = ctx.out();
                    count = copy(in, w, progress);
                    w.flush();
                } else {
                    count = toFile(in, progress);
                }
            } catch (IOException e) {
                throw new CliException(ExitCode.UNREACHABLE, "the export stream broke off: " + e.getMessage(),
                        "run the export again" + (output != null ? "; " + output + " was left unchanged" : ""), e);
            }
            progress.done();
            ctx.note("Exported " + count + (count == 1 ? " event" : " events") + (output != null ? " to " + output : "") + ".");
        }

        private long toFile(InputStream in, Progress progress) throws IOException {
            Path target = output.toAbsolutePath();
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".keyward-export", ".tmp");
            try {
                long count;
                try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8))) {
                    count = copy(in, w, progress);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                return count;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }

        private static long copy(InputStream in, Writer out, Progress progress) throws IOException {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            long count = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                out.write(line);
                out.write('\n');
                count++;
                progress.update(count, line.length() + 1);
            }
            return count;
        }
    }

    /** A one-line progress counter on standard error, drawn only when that is a terminal. */
    static final class Progress {
        private final Context ctx;
        private final boolean enabled;
        private long bytes;
        private long lastDraw;
        private boolean drawn;

        Progress(Context ctx, boolean enabled) {
            this.ctx = ctx;
            this.enabled = enabled;
        }

        void update(long events, long lineBytes) {
            bytes += lineBytes;
            long now = System.nanoTime();
            if (enabled && now - lastDraw > 200_000_000L) {
                lastDraw = now;
                drawn = true;
                ctx.err().print("\rexporting… " + events + " events, " + bytes / 1024 + " KiB");
                ctx.err().flush();
            }
        }

        void done() {
            if (drawn) {
                ctx.err().print("\r\033[K");
                ctx.err().flush();
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the org's hash chain: exit 0 when intact, 1 when tampering is detected.")
    static final class Verify implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            Context ctx = Context.of(spec);
            JsonNode report = ctx.api().get(Service.AUDIT, "/v1/audit/verify", null);
            if (ctx.jsonOutput()) {
                ctx.printJson(report);
            }
            boolean ok = report.path("ok").asBoolean(false);
            String org = report.path("org").asText("?");
            if (ok) {
                String line = "Audit chain of " + org + " is intact: " + report.path("checked").asLong() + " links checked"
                        + " (seq " + (report.path("anchor_seq").asLong() + 1) + ".." + report.path("head_seq").asLong() + ").";
                if (ctx.jsonOutput()) {
                    ctx.note(line);
                } else {
                    ctx.out().println(line);
                    ctx.out().flush();
                }
                return;
            }
            JsonNode broken = report.path("first_broken");
            throw CliException.failed("the audit chain of " + org + " is BROKEN at seq " + broken.path("seq").asText("?")
                    + " (event " + broken.path("event_id").asText("?") + "): " + broken.path("reason").asText("?"),
                    "events were altered or removed outside Keyward; preserve the database and investigate");
        }
    }
}
