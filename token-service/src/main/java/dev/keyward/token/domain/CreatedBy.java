package dev.keyward.token.domain;

/**
 * Who created a token. A person (signed in through OIDC) has a user id and a name; a token
 * created by a token is attributed to that token's person when it has one, else to the token.
 *
 * @param type        {@code person}, {@code token} or {@code system}
 * @param userId      the person's id, or the creating token's id; the unit of the per-user limit
 * @param name        the person's or creating token's name
 * @param tokenId     the creating token, when a token created it
 * @param tokenPrefix the creating token's key prefix, when a token created it
 */
public record CreatedBy(String type, String userId, String name, String tokenId, String tokenPrefix) {

    public static final String PERSON = "person";
    public static final String TOKEN = "token";
    public static final String SYSTEM = "system";

    /** The org admin token that the bootstrap creates. */
    public static CreatedBy bootstrap() {
        return new CreatedBy(SYSTEM, "bootstrap", "bootstrap", null, null);
    }
}
