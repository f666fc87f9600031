package dev.keyward.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.cli.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code keyward trust ...}: the body create sends, the paths, and the tables. */
class TrustCommandTests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            {"id":"tp_7kQm2","name":"app-main","issuer":"https://token.actions.githubusercontent.com","audience":"keyward",
             "subject":"repo:acme/app:ref:refs/heads/main","claims":{"repository":"acme/app","ref":"refs/heads/*"},
             "scopes":{"repos:app":["git:read"]},"max_ttl":900,"created_at":"2026-03-01T12:00:00Z",
             "created_by":{"name":"ci-admin","token_prefix":"kw_prod_o_Ab3dEf7h"}}""";

    @TempDir
    Path config;

    private final Map<String, String> env = new HashMap<>();

    @BeforeEach
    void isolatedConfig() {
        env.put("XDG_CONFIG_HOME", config.toString());
        env.put("HOME", config.toString());
        env.put("KEYWARD_TOKEN", "kw_prod_o_anadminkeyanadminkeyanadmin");
    }

    private InProcessCli.Result run(String... args) {
        return InProcessCli.run(env, args);
    }

    private Map<String, Object> createBody(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "trust";
        all[1] = "create";
        all[2] = "acme";
        System.arraycopy(args, 0, all, 3, args.length);
        return InProcessCli.parsed(env, TrustCommand.Create.class, all).body();
    }

    @Test
    void createSendsTheGlobsTheCanonicalScopesAndTheTtlInSeconds() throws Exception {
        Map<String, Object> body = createBody("--name", "app-main", "--issuer", "https://token.actions.githubusercontent.com",
                "--audience", "keyward", "--subject", "repo:acme/app:ref:refs/heads/main",
                "--claim", "repository=acme/app", "--claim", "ref=refs/heads/*", "--claim", "job_workflow_ref=acme/ci/.github/x.yml@a=b",
                "--scope", "repos:app=read", "--scope", "repos:lib/*=git:read", "--max-ttl", "15m");

        assertThat(JSON.writeValueAsString(body)).isEqualTo("{\"name\":\"app-main\","
                + "\"issuer\":\"https://token.actions.githubusercontent.com\",\"audience\":\"keyward\","
                + "\"subject\":\"repo:acme/app:ref:refs/heads/main\","
                + "\"claims\":{\"repository\":\"acme/app\",\"ref\":\"refs/heads/*\",\"job_workflow_ref\":\"acme/ci/.github/x.yml@a=b\"},"
                + "\"scopes\":{\"repos:app\":[\"git:read\"],\"repos:lib/*\":[\"git:read\"]},\"max_ttl\":900}");
    }

    @Test
    void withoutClaimsOrMaxTtlNeitherIsSent() {
        Map<String, Object> body = createBody("--name", "pods", "--issuer", "https://k8s.example.com", "--audience", "keyward",
                "--subject", "system:serviceaccount:build:*", "--scope", "repos:*=git:read");

        assertThat(body).containsOnlyKeys("name", "issuer", "audience", "subject", "scopes");
    }

    @Test
    void badClaimsScopesAndTtlsAreRefusedBeforeAnythingIsSent() {
        String[] base = {"--name", "n", "--issuer", "https://i.example.com", "--audience", "keyward", "--subject", "*"};
        assertThatThrownBy(() -> createBody(concat(base, "--scope", "repos:app=read", "--claim", "ref")))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("must be CLAIM=GLOB");
        assertThatThrownBy(() -> createBody(concat(base, "--scope", "repos:app=read", "--claim", "=x")))
                .hasMessageContaining("must be CLAIM=GLOB");
        assertThatThrownBy(() -> createBody(concat(base, "--scope", "repos:app=read", "--claim", "ref=a", "--claim", "ref=b")))
                .hasMessageContaining("names 'ref' twice");
        assertThatThrownBy(() -> createBody(base)).hasMessageContaining("at least one --scope");
        assertThatThrownBy(() -> createBody(concat(base, "--scope", "repos:app=git:push")))
                .hasMessageContaining("unknown permission 'git:push'");
        assertThatThrownBy(() -> createBody(concat(base, "--scope", "repos:app=read", "--max-ttl", "an hour")))
                .hasMessageContaining("--max-ttl").hasMessageContaining("'an hour' is not a duration");

        InProcessCli.Result missingIssuer = run("trust", "create", "acme", "--name", "n", "--audience", "a", "--subject", "*",
                "--scope", "repos:app=read", "--url", "http://127.0.0.1:1");
        assertThat(missingIssuer.exit()).isEqualTo(ExitCode.USAGE);
        assertThat(missingIssuer.err()).contains("--issuer");
        assertThat(run("trust").exit()).isEqualTo(ExitCode.USAGE);
        assertThat(run("trust", "delete", "acme").exit()).as("the policy id is required").isEqualTo(ExitCode.USAGE);
    }

    @Test
    void listShowAndDeleteAddressThePolicyUnderItsOrg() throws IOException {
        try (RecordingServer api = new RecordingServer(200, "{\"trust_policies\":[" + POLICY + "]}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result narrow = run("trust", "list", "acme");
            assertThat(narrow.exit()).as(narrow.err()).isZero();
            assertThat(narrow.out().lines()).as("100 columns: long cells wrap").hasSizeGreaterThan(2)
                    .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));

            env.put("COLUMNS", "250");
            InProcessCli.Result list = run("trust", "list", "acme");

            assertThat(list.exit()).as(list.err()).isZero();
            assertThat(list.out().lines().toList()).hasSize(2);
            assertThat(list.out()).contains("ID", "ISSUER", "SUBJECT", "CLAIMS", "SCOPES", "MAX TTL")
                    .containsPattern("tp_7kQm2 +app-main +https://token.actions.githubusercontent.com +keyward +"
                            + "repo:acme/app:ref:refs/heads/main +repository=acme/app ref=refs/heads/\\* +repos:app=git:read +15m");
            assertThat(list.err()).contains("1 trust policy");
            assertThat(run("--json", "trust", "list", "acme").out()).startsWith("[").contains("\"id\" : \"tp_7kQm2\"");
        }
        try (RecordingServer api = new RecordingServer(200, POLICY)) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result show = run("trust", "show", "acme", "tp_7kQm2");

            assertThat(show.exit()).as(show.err()).isZero();
            assertThat(show.out().lines()).contains(
                    "subject     repo:acme/app:ref:refs/heads/main",
                    "claims      repository=acme/app ref=refs/heads/*",
                    "scopes      repos:app=git:read",
                    "max ttl     15m",
                    "created by  ci-admin, token kw_prod_o_Ab3dEf7h…");
            assertThat(api.requests.get(0).path()).isEqualTo("/v1/orgs/acme/trust-policies/tp_7kQm2");
            assertThat(api.requests.get(0).authorization()).isEqualTo("Bearer kw_prod_o_anadminkeyanadminkeyanadmin");
        }
        try (RecordingServer api = new RecordingServer(200, "{\"id\":\"tp_7kQm2\",\"deleted\":true}")) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result delete = run("trust", "delete", "acme", "tp_7kQm2");

            assertThat(delete.exit()).as(delete.err()).isZero();
            assertThat(delete.out()).isEmpty();
            assertThat(delete.err()).contains("Deleted trust policy tp_7kQm2").contains("refused within a second");
            assertThat(api.requests).extracting(RecordingServer.Request::method, RecordingServer.Request::path)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("DELETE", "/v1/orgs/acme/trust-policies/tp_7kQm2"));
        }
    }

    @Test
    void createPrintsWhatWasStored() throws IOException {
        try (RecordingServer api = new RecordingServer(201, POLICY)) {
            env.put("KEYWARD_URL", api.url());

            InProcessCli.Result r = run("trust", "create", "acme", "--name", "app-main", "--issuer", "https://token.actions.githubusercontent.com",
                    "--audience", "keyward", "--subject", "repo:acme/app:ref:refs/heads/main", "--scope", "repos:app=read");

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("id          tp_7kQm2").contains("max ttl     15m");
            assertThat(r.err()).contains("Created trust policy tp_7kQm2 in org acme.");
            RecordingServer.Request sent = api.requests.get(0);
            assertThat(sent.method()).isEqualTo("POST");
            assertThat(sent.path()).isEqualTo("/v1/orgs/acme/trust-policies");
            assertThat(JSON.readTree(sent.body()).path("scopes").toString()).isEqualTo("{\"repos:app\":[\"git:read\"]}");
        }
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
