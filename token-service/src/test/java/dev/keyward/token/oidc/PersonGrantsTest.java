package dev.keyward.token.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyward.contract.ApiException;
import dev.keyward.contract.Permission;
import dev.keyward.contract.Scopes;
import dev.keyward.token.auth.oidc.PersonAuthenticator;
import dev.keyward.token.auth.oidc.PersonGrants;
import dev.keyward.token.domain.Caller;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/** The person rules as plain Java: roles to grants, and claims to a {@link Caller}. */
class PersonGrantsTest {

    @Test
    void anAdminHoldsEverythingInTheOrgAndManagesAllTokens() {
        PersonGrants admin = PersonGrants.of(Set.of("org-admin", "org-member", "offline_access")).orElseThrow();
        assertThat(admin.role()).isEqualTo("org-admin");
        assertThat(admin.ownOnly()).isFalse();
        assertThat(admin.allows(Permission.AUDIT_READ)).isTrue();
        assertThat(admin.scopes().allowsRepo(Permission.REPO_WRITE, "team/app")).isTrue();
    }

    @Test
    void aMemberHoldsGitAndOrgReadAndOnlyTheirOwnTokens() {
        PersonGrants member = PersonGrants.of(Set.of("org-member")).orElseThrow();
        assertThat(member.ownOnly()).isTrue();
        assertThat(member.allows(Permission.TOKEN_WRITE)).isTrue();
        assertThat(member.allows(Permission.AUDIT_READ)).isFalse();
        assertThat(Scopes.parse(Map.of("repos:x", List.of("git:write"))).isSubsetOf(member.scopes())).isTrue();
        assertThat(Scopes.parse(Map.of("org", List.of("token:write"))).isSubsetOf(member.scopes())).isFalse();
        assertThat(Scopes.parse(Map.of("repos:x", List.of("repo:write"))).isSubsetOf(member.scopes())).isFalse();
    }

    @Test
    void noKeywardRoleNoGrants() {
        assertThat(PersonGrants.of(Set.of("offline_access", "uma_authorization"))).isEmpty();
    }

    @Test
    void theCallerComesFromTheClaims() {
        Caller bob = PersonAuthenticator.toCaller(identity(Map.of("sub", "u-2", "org", "demo",
                "preferred_username", "bob"), "org-member"), "10.0.0.1");
        assertThat(bob.org()).isEqualTo("demo");
        assertThat(bob.userId()).isEqualTo("u-2");
        assertThat(bob.name()).isEqualTo("bob");
        assertThat(bob.ownOnly()).isTrue();
        assertThat(bob.asCreator().type()).isEqualTo("person");
        assertThat(bob.asCreator().tokenPrefix()).isNull();
        assertThat(bob.actor()).isEqualTo("u-2");
        assertThat(bob.mayManage("u-2")).isTrue();
        assertThat(bob.mayManage("u-1")).isFalse();
        Caller alice = PersonAuthenticator.toCaller(identity(Map.of("sub", "u-1", "org", "demo", "name", "Alice Admin",
                "preferred_username", "alice"), "org-admin"), null);
        assertThat(alice.name()).isEqualTo("Alice Admin");
        assertThat(alice.mayManage("u-2")).isTrue();
    }

    @Test
    void noOrgClaimOrNoRoleIsForbidden() {
        assertThatThrownBy(() -> PersonAuthenticator.toCaller(identity(Map.of("sub", "u-3"), "org-admin"), null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessageContaining("org claim");
        assertThatThrownBy(() -> PersonAuthenticator.toCaller(identity(Map.of("sub", "u-3", "org", "demo")), null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    private static QuarkusSecurityIdentity identity(Map<String, Object> claims, String... roles) {
        JwtClaims jwt = new JwtClaims();
        claims.forEach(jwt::setClaim);
        return QuarkusSecurityIdentity.builder().setPrincipal(new DefaultJWTCallerPrincipal(jwt))
                .addRoles(Set.of(roles)).build();
    }
}
