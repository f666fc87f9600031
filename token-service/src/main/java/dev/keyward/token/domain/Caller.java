package dev.keyward.token.domain;

import dev.keyward.contract.Scopes;
import dev.keyward.contract.TokenKind;
import java.util.List;

/**
 * The authenticated caller of the control plane: an issued API key, or a person signed in through
 * OIDC (see {@link #person}).
 *
 * @param tokenId     the presenting token's id; {@code null} for a person
 * @param org         the org it belongs to; every call acts within it
 * @param keyPrefix   display prefix of the presenting token's key
 * @param name        the token's name
 * @param kind        org or repo
 * @param scopes      what it holds (the ceiling for tokens it creates)
 * @param userId      whom tokens it creates count against: its creator when a person made it, else itself
 * @param clientIp    the caller's address, for events
 * @param ownOnly     whether the caller may only see and manage tokens it created (an org member)
 * @param allowedCidrs the presenting token's address fence (empty: none); tokens it creates or
 *                    rotates must stay inside it
 * @param email       a person's e-mail (the IdP's {@code email} claim), where their tokens' expiry notices go; null for keys
 */
public record Caller(String tokenId, String org, String keyPrefix, String name, TokenKind kind, Scopes scopes, String userId, String clientIp,
                     boolean ownOnly, List<String> allowedCidrs, String email) {

    /** A caller presenting an issued API key: it manages all of its org's tokens (within its scopes). */
    public Caller(String tokenId, String org, String keyPrefix, String name, TokenKind kind, Scopes scopes, String userId,
                  String clientIp, List<String> allowedCidrs) {
        this(tokenId, org, keyPrefix, name, kind, scopes, userId, clientIp, false, allowedCidrs, null);
    }

    /** A person signed in through OIDC. Tokens they create count against their user id. */
    public static Caller person(String userId, String name, String org, Scopes scopes, boolean ownOnly, String clientIp,
                                String email) {
        return new Caller(null, org, null, name, TokenKind.ORG, scopes, userId, clientIp, ownOnly, List.of(), email);
    }

    public boolean isPerson() {
        return tokenId == null;
    }

    /** Whether this caller may see and manage a token of its org created by {@code createdByUserId}. */
    public boolean mayManage(String createdByUserId) {
        return !ownOnly || userId.equals(createdByUserId);
    }

    /** The {@code created_by} of a token this caller creates. */
    public CreatedBy asCreator() {
        return isPerson()
                ? new CreatedBy(CreatedBy.PERSON, userId, name, null, null)
                : new CreatedBy(CreatedBy.TOKEN, userId, name, tokenId, keyPrefix);
    }

    /** The {@code actor} of events this caller causes: the token's id, or the person's id. */
    public String actor() {
        return isPerson() ? userId : tokenId;
    }
}
