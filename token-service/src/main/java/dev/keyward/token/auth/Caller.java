package dev.keyward.token.auth;

import dev.keyward.token.domain.CreatedBy;
import dev.keyward.verification.ApiKeyFormat;
import dev.keyward.verification.Scopes;
import dev.keyward.verification.TokenKind;

/**
 * The authenticated caller of the control plane: for now always an issued API key. (People signed
 * in through OIDC will become a second kind of caller, with their own user id and name.)
 *
 * @param tokenId     the presenting token's id
 * @param org         the org it belongs to; every call acts within it
 * @param keyPrefix   display prefix of the presenting token's key
 * @param name        the token's name
 * @param kind        org or repo
 * @param environment prod or dev
 * @param scopes      what it holds (the ceiling for tokens it creates)
 * @param userId      whom tokens it creates count against: its creator when a person made it, else itself
 * @param clientIp    the caller's address, for events
 */
public record Caller(String tokenId, String org, String keyPrefix, String name, TokenKind kind,
                     ApiKeyFormat.Environment environment, Scopes scopes, String userId, String clientIp) {

    /** The {@code created_by} of a token this caller creates. */
    public CreatedBy asCreator() {
        return new CreatedBy(CreatedBy.TOKEN, userId, name, tokenId, keyPrefix);
    }

    /** The {@code actor} of events this caller causes. */
    public String actor() {
        return tokenId;
    }
}
