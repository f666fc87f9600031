package dev.keyward.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.localstack.EmbeddedKeycloak;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

/**
 * A CI platform's OIDC issuer, played by a realm of its own in the shared real Keycloak: created
 * through Keycloak's admin API with an RSA signing key this class generated (so a test can also
 * sign tokens the issuer would never issue: expired ones, or with a forged header), and a
 * confidential client {@value #CLIENT} whose client-credentials tokens carry audience
 * {@value #AUDIENCE} and the hardcoded claims {@code repository}, {@code ref} and {@code job_id},
 * as a CI job's token does. Its {@code sub} is the client's service-account user id.
 */
public final class CiPlatform {

    public static final String CLIENT = "ci-runner";
    public static final String AUDIENCE = "keyward";
    public static final String REPOSITORY = "acme/app";
    public static final String REF = "refs/heads/main";
    public static final String JOB_ID = "4242";
    private static final String SECRET = "ci-runner-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EmbeddedKeycloak keycloak;
    private final String realm;
    private final KeyPair key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String kid;

    private CiPlatform(EmbeddedKeycloak keycloak, String realm, KeyPair key) {
        this.keycloak = keycloak;
        this.realm = realm;
        this.key = key;
    }

    /** A new CI realm in {@code keycloak} (a second call gives another issuer with other keys). */
    public static CiPlatform create(EmbeddedKeycloak keycloak) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            CiPlatform platform = new CiPlatform(keycloak, "ci-" + UUID.randomUUID().toString().substring(0, 8),
                    generator.generateKeyPair());
            platform.createRealm();
            return platform;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The issuer URL ({@code iss}) of this platform's tokens. */
    public String issuer() {
        return keycloak.baseUrl() + "/realms/" + realm;
    }

    /** A fresh client-credentials token of the CI job, as the platform issues it. */
    public String jobToken() {
        JsonNode answer = post(issuer() + "/protocol/openid-connect/token", null, Map.of(
                "grant_type", "client_credentials", "client_id", CLIENT, "client_secret", SECRET));
        return answer.path("access_token").asText();
    }

    /** The claims of a token, unverified (e.g. its {@code sub}). */
    public static Map<String, Object> claimsOf(String jwt) {
        try {
            return JwtClaims.parse(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8))
                    .getClaimsMap();
        } catch (Exception e) {
            throw new IllegalStateException("not a JWT", e);
        }
    }

    /** A token signed with the platform's real key and the given header fields and claims. */
    public String sign(Map<String, Object> claims, String alg, String kidHeader) {
        return sign(claims, alg, kidHeader, key.getPrivate());
    }

    /** The key id under which the platform publishes its signing key. */
    public String kid() {
        if (kid == null) {
            JsonNode keys = get(issuer() + "/protocol/openid-connect/certs").path("keys");
            String modulus = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    stripSign(((java.security.interfaces.RSAPublicKey) key.getPublic()).getModulus().toByteArray()));
            for (JsonNode k : keys) {
                if (modulus.equals(k.path("n").asText())) {
                    kid = k.path("kid").asText();
                }
            }
            if (kid == null) {
                throw new IllegalStateException("the realm does not publish the imported key");
            }
        }
        return kid;
    }

    /** The platform's public key, DER (X.509 SubjectPublicKeyInfo): what an HS256 forger would use as secret. */
    public byte[] publicKeyBytes() {
        return key.getPublic().getEncoded();
    }

    /** Signs with any key (a test's own, or an HMAC secret for a forged HS256). */
    public static String sign(Map<String, Object> claims, String alg, String kidHeader, java.security.Key signingKey) {
        JwtClaims body = new JwtClaims();
        claims.forEach(body::setClaim);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(body.toJson());
        jws.setAlgorithmHeaderValue(alg);
        jws.setHeader("typ", "JWT");
        if (kidHeader != null) {
            jws.setKeyIdHeaderValue(kidHeader);
        }
        if (AlgorithmIdentifiers.NONE.equals(alg)) {
            jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
        } else {
            jws.setKey(signingKey);
            jws.setDoKeyValidation(false);
        }
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void createRealm() {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----";
        Map<String, Object> keyProvider = Map.of("name", "ci-rsa", "providerId", "rsa", "config", Map.of(
                "privateKey", List.of(pem), "active", List.of("true"), "enabled", List.of("true"),
                "priority", List.of("1000"), "algorithm", List.of("RS256")));
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", CLIENT);
        client.put("enabled", true);
        client.put("publicClient", false);
        client.put("secret", SECRET);
        client.put("standardFlowEnabled", false);
        client.put("directAccessGrantsEnabled", false);
        client.put("serviceAccountsEnabled", true);
        client.put("protocolMappers", List.of(
                Map.of("name", "audience", "protocol", "openid-connect", "protocolMapper", "oidc-audience-mapper",
                        "config", Map.of("included.custom.audience", AUDIENCE, "access.token.claim", "true",
                                "id.token.claim", "false")),
                hardcoded("repository", REPOSITORY), hardcoded("ref", REF), hardcoded("job_id", JOB_ID)));
        Map<String, Object> representation = new LinkedHashMap<>();
        representation.put("realm", realm);
        representation.put("enabled", true);
        representation.put("components", Map.of("org.keycloak.keys.KeyProvider", List.of(keyProvider)));
        representation.put("clients", List.of(client));
        String admin = post(keycloak.baseUrl() + "/realms/master/protocol/openid-connect/token", null, Map.of(
                "grant_type", "password", "client_id", "admin-cli", "username", "admin", "password", "admin"))
                .path("access_token").asText();
        try {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(keycloak.baseUrl() + "/admin/realms"))
                    .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(representation))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                throw new IllegalStateException("cannot create realm " + realm + ": " + created.statusCode() + " " + created.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> hardcoded(String claim, String value) {
        return Map.of("name", claim, "protocol", "openid-connect", "protocolMapper", "oidc-hardcoded-claim-mapper",
                "config", Map.of("claim.name", claim, "claim.value", value, "jsonType.label", "String",
                        "access.token.claim", "true", "id.token.claim", "false"));
    }

    private JsonNode post(String url, String bearer, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build());
    }

    private JsonNode get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    private JsonNode send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri().getPath() + " answered " + response.statusCode());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] stripSign(byte[] bytes) {
        return bytes.length > 1 && bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
