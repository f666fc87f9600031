package dev.keyward.token.service;

import dev.keyward.token.repository.TokenEntity;
import java.util.List;

/** One page of a token listing; {@code nextPageToken} is null on the last page. */
public record TokenPage(List<TokenEntity> tokens, String nextPageToken) {
}
