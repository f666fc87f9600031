package dev.keyward.token.web;

import dev.keyward.token.repository.TokenEntity;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the /ui token page shows. {@code issued} is set only in the answer to a create, the one
 * time the secret is shown.
 */
public record UiPage(String person, String org, String role, boolean admin, String csrf, List<Row> tokens,
                     Issued issued, String error, String notice, ActivityFeed.Feed activity,
                     List<String> grantable, Settings settings) {

    /**
     * The org's policy and notification settings, for an org admin ({@code org:admin}); null for
     * anyone else. The webhook secret is never shown, only whether one is set.
     */
    public record Settings(int maxTokensPerCreator, int maxTokensPerOrg, long defaultTtlDays, long maxTtlDays,
                           boolean allowNeverExpiring, int noticeDays, String defaultCidrs, String leakAction,
                           String contactEmail, String webhookUrl, boolean webhookSecretSet) {
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** A token in the table. */
    public record Row(String id, String name, String keyPrefix, String kind, String environment, String scopes,
                      String status, String createdAt, String expiresAt, String createdBy, boolean active) {

        static Row of(TokenEntity t, Instant now) {
            String status = t.state(now).name().toLowerCase(java.util.Locale.ROOT);
            return new Row(t.id, t.name, t.keyPrefix, t.kind.wireName(), t.environment.wireName(), describe(t.scopes.toWire()),
                    status, time(t.createdAt), t.expiresAt == null ? "never" : time(t.expiresAt), t.createdByName,
                    "active".equals(status));
        }
    }

    /** The token just created, with its secret. */
    public record Issued(String id, String name, String key) {

        @Override
        public String toString() {
            return "Issued[" + id + "]";
        }
    }

    /** A line of the activity panel, formatted. */
    public record ActivityRow(String time, String type, String subject, String actor, String outcome) {
    }

    public List<ActivityRow> activityRows() {
        return activity.items().stream()
                .map(a -> new ActivityRow(time(a.time()), a.type(), a.subject(), a.actor(), a.outcome()))
                .toList();
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    static String describe(Map<String, List<String>> scopes) {
        return scopes.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ": " + String.join(", ", e.getValue()))
                .collect(Collectors.joining("; "));
    }
}
