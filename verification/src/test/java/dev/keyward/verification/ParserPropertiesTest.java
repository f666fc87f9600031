package dev.keyward.verification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.keyward.contract.ApiKeyFormat;
import dev.keyward.contract.Permission;
import dev.keyward.contract.RefusalReason;
import dev.keyward.contract.RepoIds;
import dev.keyward.contract.ScopeSyntaxException;
import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

/**
 * Properties of the parsers every request goes through: the API key format, credential extraction,
 * the scope grammar and its subset rule (what stops escalation), JWT scope claims, repository ids.
 * jqwik generates the inputs (edge cases first) and shrinks any counter-example it finds.
 */
class ParserPropertiesTest {

    private static final String KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // ---- API keys ----------------------------------------------------------------------------

    @Property(tries = 300)
    void generatedKeysParseToWhatTheyWereMadeFor(@ForAll ApiKeyFormat.Environment env, @ForAll("kinds") TokenKind kind) {
        String key = ApiKeyFormat.generate(env, kind);
        ApiKeyFormat.ParsedKey parsed = ApiKeyFormat.parse(key).orElseThrow();
        assertThat(parsed.environment()).isEqualTo(env);
        assertThat(parsed.kind()).isEqualTo(kind);
        assertThat(parsed.prefix()).matches("kw_(prod|dev)_[or]_[0-9A-Za-z]{" + ApiKeyFormat.PREFIX_RANDOM_LENGTH + "}");
        assertThat(key).startsWith(parsed.prefix());
        assertThat(ApiKeyFormat.problemOf(key)).isEmpty();
        assertThat(ApiKeyFormat.environmentOfPrefix(parsed.prefix())).contains(env);
    }

    /** A typo, or a guess one character away from a real key, never passes the offline check. */
    @Property(tries = 2000)
    void everySingleCharacterChangeIsCaught(@ForAll ApiKeyFormat.Environment env, @ForAll("kinds") TokenKind kind,
                                            @ForAll @IntRange(min = 0, max = 1000) int where, @ForAll char replacement) {
        String key = ApiKeyFormat.generate(env, kind);
        int at = where % key.length();
        if (key.charAt(at) == replacement) {
            return;
        }
        String changed = key.substring(0, at) + replacement + key.substring(at + 1);
        assertThat(ApiKeyFormat.parse(changed)).isEmpty();
        assertThat(ApiKeyFormat.problemOf(changed)).isPresent();
    }

    @Property(tries = 2000)
    void anyStringIsJudgedWithoutFailing(@ForAll("junkTokens") String candidate) {
        Optional<ApiKeyFormat.ParsedKey> parsed = ApiKeyFormat.parse(candidate);
        assertThat(ApiKeyFormat.problemOf(candidate).isEmpty()).isEqualTo(parsed.isPresent());
        assertThatCode(() -> ApiKeyFormat.environmentOfPrefix(candidate)).doesNotThrowAnyException();
    }

    // ---- credential extraction ---------------------------------------------------------------

    @Property(tries = 2000)
    void extractionNeverFailsAndIsEitherATokenOrARefusal(@ForAll("headerValues") String authorization,
                                                         @ForAll("headerValues") String apiKey) {
        PresentedCredential c = PresentedCredential.extract(authorization, apiKey);
        assertThat(c.token() == null).isNotEqualTo(c.refusal() == null);
        if (c.isPresent()) {
            assertThat(c.token()).isNotBlank().hasSizeLessThanOrEqualTo(PresentedCredential.MAX_TOKEN_LENGTH);
            assertThat(c.token()).isEqualTo(c.token().trim());
        } else {
            assertThat(c.refusal().reason()).isIn(RefusalReason.MISSING, RefusalReason.MALFORMED);
            // A refusal never echoes what was presented.
            if (authorization != null && authorization.length() > 8) {
                assertThat(c.refusal().message()).doesNotContain(authorization);
            }
        }
    }

    @Property(tries = 500)
    void bearerBasicAndHeaderCarryTheSameToken(@ForAll("tokens") String token, @ForAll("userNames") String user) {
        String basic = "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
        assertThat(PresentedCredential.extract("Bearer " + token, null).token()).isEqualTo(token);
        assertThat(PresentedCredential.extract(null, token).token()).isEqualTo(token);
        assertThat(PresentedCredential.extract(basic, token).token()).isEqualTo(token);
        PresentedCredential twoTokens = PresentedCredential.extract("Bearer " + token, token + "x");
        assertThat(twoTokens.isPresent()).isFalse();
        assertThat(twoTokens.refusal().reason()).isEqualTo(RefusalReason.MALFORMED);
    }

    // ---- scopes --------------------------------------------------------------------------------

    @Property(tries = 2000)
    void scopesParseOrSayWhyAndRoundTrip(@ForAll("wireScopes") Map<String, List<String>> wire) {
        Scopes parsed;
        try {
            parsed = Scopes.parse(wire);
        } catch (ScopeSyntaxException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(Scopes.parse(parsed.toWire())).isEqualTo(parsed);
        assertThat(parsed.isSubsetOf(parsed)).isTrue();
        assertThat(parsed.excessOver(parsed)).isEmpty();
    }

    /**
     * The subset rule is sound: whatever {@code isSubsetOf} lets a token create grants nothing its
     * creator lacks, on any repository and at the org level. Violations would be escalations.
     */
    @Property(tries = 3000)
    void aSubsetNeverGrantsMoreThanItsHolder(@ForAll("validScopes") Scopes child, @ForAll("validScopes") Scopes holder) {
        if (!child.isSubsetOf(holder)) {
            assertThat(child.excessOver(holder)).isNotEmpty();
            return;
        }
        assertThat(child.excessOver(holder)).isEmpty();
        for (Permission p : Permission.values()) {
            assertThat(!child.allowsOrg(p) || holder.allowsOrg(p)).as("org-level %s", p).isTrue();
            for (String repo : SAMPLE_REPOS) {
                assertThat(!child.allowsRepo(p, repo) || holder.allowsRepo(p, repo)).as("%s on %s", p, repo).isTrue();
            }
        }
    }

    @Property(tries = 1000)
    void jwtScopeClaimsGrantOnlyTheirRepository(@ForAll("validRepoIds") String repo, @ForAll("permissionNameLists") List<String> names) {
        Optional<Scopes> scopes = JwtVerifier.scopesOf(repo, names);
        scopes.ifPresent(s -> {
            for (Permission p : Permission.values()) {
                assertThat(s.allowsOrg(p)).isFalse();
                for (String other : SAMPLE_REPOS) {
                    if (!other.equals(repo)) {
                        assertThat(s.allowsRepo(p, other)).as("%s on %s", p, other).isFalse();
                    }
                }
            }
            // One resource, the repository itself, with git:* and repo:write only.
            assertThat(s.toWire().keySet()).containsExactly("repos:" + repo);
            assertThat(s.toWire().get("repos:" + repo)).isSubsetOf("git:read", "git:write", "repo:write");
        });
        Optional<Scopes> orgWide = JwtVerifier.scopesOf(null, names);
        orgWide.ifPresent(s -> assertThat(EnumSet.allOf(Permission.class).stream().filter(s::allowsOrg).toList())
                .containsExactly(Permission.ORG_READ));
    }

    // ---- repository ids --------------------------------------------------------------------------

    /** A valid repository id never leads outside its org's directory, whatever it holds. */
    @Property(tries = 3000)
    void validRepositoryIdsStayInsideTheOrgDirectory(@ForAll("pathLikeIds") String id) {
        if (RepoIds.problem(id).isPresent()) {
            return;
        }
        Path orgDir = Path.of("/srv/repos/acme");
        Path resolved = orgDir.resolve(id + ".git").normalize();
        assertThat(resolved.startsWith(orgDir)).as(id).isTrue();
        assertThat(resolved).isNotEqualTo(orgDir);
        assertThat(resolved.getParent().startsWith(orgDir)).isTrue();
    }

    // ---- generators ------------------------------------------------------------------------------

    private static final List<String> SAMPLE_REPOS = List.of("team/app", "team/app/x", "team", "teamx/app", "team/other", "other",
            "shared-lib", "a/b/c");
    private static final List<String> RESOURCES = List.of("org", "repos:*", "repos:team/*", "repos:team/app", "repos:team/app/*",
            "repos:team", "repos:other", "repos:shared-lib", "repos:a/*", "repos:a/b/*");
    private static final List<String> PERMISSION_NAMES = List.of("git:read", "git:write", "repo:write", "org:read", "token:write",
            "audit:read", "read", "write");

    @Provide
    Arbitrary<TokenKind> kinds() {
        return Arbitraries.of(TokenKind.ORG, TokenKind.REPO);
    }

    @Provide
    Arbitrary<String> junkTokens() {
        Arbitrary<String> keyish = Arbitraries.strings().withChars(KEY_ALPHABET + "_").ofMinLength(0).ofMaxLength(70).map(s -> "kw_" + s);
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(100), keyish,
                Arbitraries.of("", "kw_", "kw_prod_o_", "kw_dev_r__", "kw_prod_x_" + "A".repeat(32) + "_AAAAAA"));
    }

    @Provide
    Arbitrary<String> headerValues() {
        Arbitrary<String> schemes = Arbitraries.of("Bearer ", "Basic ", "bearer ", "BASIC ", "Token ", "", " ");
        Arbitrary<String> rest = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(8190).ofMaxLength(8200),
                Arbitraries.strings().withCharRange('A', 'z').ofMaxLength(40)
                        .map(s -> Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8))));
        return Arbitraries.oneOf(Combinators.combine(schemes, rest).as(String::concat), Arbitraries.just(null));
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(300);
    }

    @Provide
    Arbitrary<String> userNames() {
        return Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(12);
    }

    @Provide
    Arbitrary<Map<String, List<String>>> wireScopes() {
        Arbitrary<String> resource = Arbitraries.oneOf(Arbitraries.of(RESOURCES),
                Arbitraries.strings().ofMaxLength(20), Arbitraries.strings().ofMaxLength(20).map(s -> "repos:" + s));
        Arbitrary<String> permission = Arbitraries.oneOf(Arbitraries.of(PERMISSION_NAMES), Arbitraries.strings().ofMaxLength(10));
        return Arbitraries.maps(resource, permission.list().ofMaxSize(4)).ofMaxSize(5);
    }

    @Provide
    Arbitrary<Scopes> validScopes() {
        Arbitrary<String> resource = Arbitraries.of(RESOURCES);
        return Arbitraries.maps(resource, Arbitraries.of(PERMISSION_NAMES).list().ofMinSize(1).ofMaxSize(3)).ofMinSize(1).ofMaxSize(4)
                .map(ParserPropertiesTest::parseOrNull).filter(s -> s != null);
    }

    private static Scopes parseOrNull(Map<String, List<String>> wire) {
        try {
            return Scopes.parse(wire);
        } catch (ScopeSyntaxException e) {
            return null;
        }
    }

    @Provide
    Arbitrary<String> validRepoIds() {
        return Arbitraries.oneOf(Arbitraries.of(SAMPLE_REPOS), Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10));
    }

    @Provide
    Arbitrary<List<String>> permissionNameLists() {
        return Arbitraries.oneOf(Arbitraries.of(PERMISSION_NAMES), Arbitraries.strings().ofMaxLength(8)).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> pathLikeIds() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("..", ".", "", "a", "b.c", "...", ".git", "x-y_z", "%2e%2e", "~"),
                Arbitraries.strings().withChars("./-_aZ09%\\:").ofMaxLength(5));
        return segment.list().ofMinSize(1).ofMaxSize(6).map(parts -> {
            List<String> copy = new ArrayList<>(parts);
            return String.join("/", copy);
        }).injectDuplicates(0.05);
    }
}
