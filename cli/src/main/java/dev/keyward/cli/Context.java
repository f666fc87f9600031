package dev.keyward.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keyward.cli.auth.Credentials;
import dev.keyward.cli.auth.SessionStore;
import dev.keyward.cli.config.Settings;
import dev.keyward.cli.http.ApiClient;
import dev.keyward.cli.http.HttpClients;
import dev.keyward.cli.output.JsonOutput;
import dev.keyward.cli.output.Table;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Clock;
import picocli.CommandLine.Model.CommandSpec;

/** What every command needs: settings, the API client, the credentials and the two output streams. */
public final class Context {

    private final Settings settings;
    private final Clock clock;
    // Each made on first use, so a command pays only for what it uses (start-up is most of a command).
    private ObjectMapper json;
    private final HttpClients http = new HttpClients();
    private SessionStore sessions;
    private Credentials credentials;
    private ApiClient api;
    private final InputStream in;
    private final OutputStream stdout;
    private final PrintWriter out;
    private final PrintWriter err;
    private final JsonOutput jsonOutput;

    Context(Settings settings, Clock clock, InputStream in, OutputStream stdout, PrintWriter out, PrintWriter err,
            JsonOutput jsonOutput) {
        this.settings = settings;
        this.clock = clock;
        this.in = in;
        this.stdout = stdout;
        this.out = out;
        this.err = err;
        this.jsonOutput = jsonOutput;
    }

    /** The context of the command line that {@code spec} belongs to. */
    public static Context of(CommandSpec spec) {
        return ((KeywardCommand) spec.root().userObject()).context();
    }

    public Settings settings() {
        return settings;
    }

    public synchronized ObjectMapper json() {
        if (json == null) {
            json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        }
        return json;
    }

    /** The HTTP client for the identity provider (the API's calls choose theirs by URL, in {@link ApiClient}). */
    public HttpClient http() {
        return http.tls();
    }

    public Clock clock() {
        return clock;
    }

    public synchronized SessionStore sessions() {
        if (sessions == null) {
            sessions = new SessionStore(settings.sessionFile(), json());
        }
        return sessions;
    }

    public synchronized Credentials credentials() {
        if (credentials == null) {
            credentials = new Credentials(settings, this::sessions, this::http, this::json, clock);
        }
        return credentials;
    }

    public synchronized ApiClient api() {
        if (api == null) {
            api = new ApiClient(settings, credentials(), http, json(), err, clock);
        }
        return api;
    }

    /** Standard input (what git's credential protocol, for one, writes to). */
    public InputStream in() {
        return in;
    }

    /** Standard output: results only (what a script captures). */
    public PrintWriter out() {
        return out;
    }

    /** Standard output as bytes, for content that is not text; what {@link #out()} holds is written first. */
    public OutputStream bytesOut() {
        out.flush();
        return stdout;
    }

    /** Standard error: everything meant for a person. */
    public PrintWriter err() {
        return err;
    }

    /** Whether {@code --json} or {@code --jq} asked for machine-readable output. */
    public boolean jsonOutput() {
        return jsonOutput != null;
    }

    /** Prints a command's JSON document to standard output, as {@code --json FIELDS} and {@code --jq} ask. */
    public void printJson(JsonNode node) {
        (jsonOutput != null ? jsonOutput : JsonOutput.of(null, null)).print(node, json(), out);
    }

    /** Prints a table to standard output, within the terminal's width ({@link #columns()}). */
    public void print(Table table) {
        table.print(out, columns());
    }

    /** The width tables fit: {@code COLUMNS} when the environment sets it, else {@value Table#DEFAULT_WIDTH}. */
    public int columns() {
        try {
            int columns = Integer.parseInt(settings.env().getOrDefault("COLUMNS", "").strip());
            return columns > 0 ? columns : Table.DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return Table.DEFAULT_WIDTH;
        }
    }

    /** A line for the person at the terminal. */
    public void note(String line) {
        err.println(line);
        err.flush();
    }
}
