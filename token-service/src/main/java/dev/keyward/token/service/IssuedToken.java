package dev.keyward.token.service;

import dev.keyward.token.repository.TokenEntity;

/** A token record with the raw key that was just generated for it: shown to the caller once, never stored. */
public record IssuedToken(TokenEntity token, String key) {

    @Override
    public String toString() {
        return "IssuedToken[" + token.id + ", " + token.keyPrefix + "…]";
    }
}
