package dev.keyward.token.jobs;

import dev.keyward.events.KeywardEvent;
import dev.keyward.token.notify.ExpiryNotice;
import dev.keyward.token.notify.NotificationDispatcher;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.EventOutbox;
import dev.keyward.token.service.TokenEvents;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import dev.keyward.token.domain.OrgPolicy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Deprecation notices. Every live token expiring within its org's {@code notice_days} (policy, default 14)
 * gets exactly one {@code token:expiring} event and one notification: an e-mail to
 * {@code tokens.notify_email}, else the org's {@code contact_email}, and a signed webhook when the
 * org has a {@code webhook_url} (and a {@code webhook_secret}). Stamp, event and queued deliveries
 * commit together per batch; the deliveries are then sent by {@link NotificationDispatcher}.
 */
@ApplicationScoped
public class DeprecationJob {

    public static final String NAME = "deprecation";
    /** Advisory lock key of this job ("kwdeprec"). */
    private static final long LOCK_KEY = 0x6b77646570726563L;
    private static final Logger LOG = Logger.getLogger(DeprecationJob.class);

    private static final String STAMP = """
            with due as (
                select t.id from tokens t join orgs o on o.id = t.org_id
                where t.expiring_notified_at is null and %s
                  and t.expires_at is not null and t.expires_at <= ?
                  and t.expires_at <= cast(? as timestamptz) + make_interval(days => o.notice_days)
                order by t.expires_at
                limit ?
                for update of t skip locked)
            update tokens t set expiring_notified_at = ?
            from due, orgs o
            where t.id = due.id and o.id = t.org_id
            returning t.id, t.org_id, t.key_prefix, t.name, t.expires_at,
                      coalesce(t.notify_email, o.contact_email), o.webhook_url, o.webhook_secret is not null"""
            .formatted(TokenEntity.activeSql("?"));

    private final DataSource dataSource;
    private final Clock clock;
    private final OutboxRelay relay;
    private final NotificationDispatcher dispatcher;
    private final int batchSize;

    public DeprecationJob(DataSource dataSource, Clock clock, OutboxRelay relay, NotificationDispatcher dispatcher,
                          @ConfigProperty(name = "keyward.jobs.batch-size", defaultValue = "500") int batchSize) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.relay = relay;
        this.dispatcher = dispatcher;
        this.batchSize = batchSize;
    }

    /** One run: every due token noticed, then every due notification sent. Blocking. */
    public JobSummary run() {
        JobSummary summary = LockedRun.run(dataSource, NAME, LOCK_KEY, c -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            long[] counts = new long[3];
            int stamped;
            do {
                stamped = stampBatch(c, now, counts);
                c.commit();
                if (stamped > 0) {
                    relay.wakeUp();
                }
            } while (stamped == batchSize);
            Map<String, Long> result = new LinkedHashMap<>();
            result.put("notified", counts[0]);
            result.put("emails_queued", counts[1]);
            result.put("webhooks_queued", counts[2]);
            return result;
        });
        if (!summary.ran()) {
            return summary;
        }
        // Send right away what this run queued (and any retries that are due).
        NotificationDispatcher.Outcome sent = dispatcher.deliverDue();
        Map<String, Long> counts = new LinkedHashMap<>(summary.counts());
        counts.put("delivered", sent.delivered());
        counts.put("retrying", sent.retrying());
        counts.put("failed", sent.failed());
        return new JobSummary(summary.job(), true, counts, summary.durationMs());
    }

    private record Due(String id, String org, String keyPrefix, String name, Instant expiresAt, String email,
                       String webhookUrl, boolean hasSecret) {
    }

    private int stampBatch(Connection c, Instant now, long[] counts) throws SQLException {
        List<Due> due = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(STAMP)) {
            s.setTimestamp(1, Timestamp.from(now));
            // The index bound: no org's notice period is longer than the policy's maximum.
            s.setTimestamp(2, Timestamp.from(now.plus(Duration.ofDays(OrgPolicy.MAX_NOTICE_DAYS))));
            s.setTimestamp(3, Timestamp.from(now));
            s.setInt(4, batchSize);
            s.setTimestamp(5, Timestamp.from(now));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    due.add(new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant(), rs.getString(6), rs.getString(7), rs.getBoolean(8)));
                }
            }
        }
        List<KeywardEvent> events = new ArrayList<>();
        for (Due d : due) {
            KeywardEvent event = TokenEvents.expiring(d.id(), d.org(), d.keyPrefix(), d.name(), d.expiresAt(), now);
            events.add(event);
            ExpiryNotice notice = new ExpiryNotice(event.id(), event.type().wireName(), now.toString(), d.org(),
                    d.id(), d.keyPrefix(), d.name(), d.expiresAt().toString());
            if (d.email() != null && !d.email().isBlank()) {
                NotificationDispatcher.enqueue(c, notice, NotificationDispatcher.EMAIL, d.email(), now);
                counts[1]++;
            }
            if (d.webhookUrl() != null && !d.webhookUrl().isBlank()) {
                if (d.hasSecret()) {
                    NotificationDispatcher.enqueue(c, notice, NotificationDispatcher.WEBHOOK, d.webhookUrl(), now);
                    counts[2]++;
                } else {
                    LOG.warnf("org %s has a webhook URL but no webhook secret: no webhook for token %s", d.org(), d.id());
                }
            }
        }
        EventOutbox.append(c, events);
        counts[0] += due.size();
        return due.size();
    }
}
