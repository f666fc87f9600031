package dev.keyward.audit.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One page of {@code GET /v1/audit/events}: events newest first, and the token of the next page or null. */
public record EventPageView(List<JsonNode> events, String nextPageToken) {
}
