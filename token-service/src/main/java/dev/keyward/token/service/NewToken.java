package dev.keyward.token.service;

import java.util.List;
import java.util.Map;

/** A request for a new token, as received (checked by {@link TokenService#create}). */
public record NewToken(String name, String kind, Map<String, List<String>> scopes, Long expiresIn,
                       List<String> allowedCidrs, String environment) {
}
