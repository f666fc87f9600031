package dev.keyward.token.notify;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Queues notifications ({@code notification_deliveries}) and delivers the due ones. A delivery is
 * claimed in a short transaction (attempt counted, lease set, {@code skip locked}), sent outside
 * it, then stamped delivered or rescheduled with exponential backoff; after
 * {@code keyward.notify.max-attempts} it is given up. A crash between send and stamp resends after
 * the lease: delivery is at least once, and receivers deduplicate on {@code X-Keyward-Delivery}.
 */
@ApplicationScoped
public class NotificationDispatcher {

    public static final String EMAIL = "email";
    public static final String WEBHOOK = "webhook";

    private static final Logger LOG = Logger.getLogger(NotificationDispatcher.class);
    // Longer than a send can take (the HTTP timeout), so a live sender never loses its claim.
    private static final Duration LEASE = Duration.ofMinutes(5);

    private static final String ENQUEUE = """
            insert into notification_deliveries
                (org_id, token_id, event_type, channel, target, payload, created_at, next_attempt_at)
            values (?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (token_id, event_type, channel) do nothing""";

    // The same statement with numbered parameters, as Hibernate Reactive's native queries take them.
    private static final String ENQUEUE_NUMBERED = ENQUEUE.replace("values (?, ?, ?, ?, ?, ?, ?, ?)",
            "values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");

    private static final String CLAIM = """
            with due as (
                select id from notification_deliveries
                where delivered_at is null and failed_at is null and next_attempt_at <= ?
                order by next_attempt_at
                limit ?
                for update skip locked)
            update notification_deliveries d set attempts = d.attempts + 1, next_attempt_at = ?
            from due where d.id = due.id
            returning d.id, d.org_id, d.channel, d.target, d.payload, d.attempts""";

    private final DataSource dataSource;
    private final Clock clock;
    private final MailNotifier mail;
    private final WebhookNotifier webhook;
    private final Backoff backoff;
    private final int maxAttempts;
    private final int batchSize;

    public NotificationDispatcher(DataSource dataSource, Clock clock, MailNotifier mail, WebhookNotifier webhook,
                                  @ConfigProperty(name = "keyward.notify.backoff", defaultValue = "30s") Duration firstBackoff,
                                  @ConfigProperty(name = "keyward.notify.max-backoff", defaultValue = "1h") Duration maxBackoff,
                                  @ConfigProperty(name = "keyward.notify.max-attempts", defaultValue = "10") int maxAttempts,
                                  @ConfigProperty(name = "keyward.notify.batch-size", defaultValue = "50") int batchSize) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.mail = mail;
        this.webhook = webhook;
        this.backoff = new Backoff(firstBackoff, maxBackoff);
        this.maxAttempts = maxAttempts;
        this.batchSize = batchSize;
    }

    /** What one delivery pass did. */
    public record Outcome(long delivered, long retrying, long failed) {
    }

    /**
     * Queues a notice on {@code channel} to {@code target}, inside the caller's open transaction
     * (the one that emits the event it is about). At most one per token, event and channel.
     */
    public static void enqueue(Connection c, ExpiryNotice notice, String channel, String target, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(ENQUEUE)) {
            s.setString(1, notice.org());
            s.setString(2, notice.tokenId());
            s.setString(3, notice.type());
            s.setString(4, channel);
            s.setString(5, target);
            s.setString(6, notice.toJson());
            s.setTimestamp(7, Timestamp.from(now));
            s.setTimestamp(8, Timestamp.from(now));
            s.executeUpdate();
        }
    }

    /**
     * {@link #enqueue(Connection, ExpiryNotice, String, String, Instant)} on a reactive session,
     * inside its open transaction (the leak service's).
     */
    public static Uni<Void> enqueue(Mutiny.Session session, ExpiryNotice notice, String channel, String target,
                                    Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        return session.createNativeQuery(ENQUEUE_NUMBERED)
                .setParameter(1, notice.org()).setParameter(2, notice.tokenId()).setParameter(3, notice.type())
                .setParameter(4, channel).setParameter(5, target).setParameter(6, notice.toJson())
                .setParameter(7, at).setParameter(8, at)
                .executeUpdate().replaceWithVoid();
    }

    private record Claimed(long id, String org, String channel, String target, String payload, int attempts) {
    }

    /** Delivers every notification due now. Blocking. */
    public Outcome deliverDue() {
        long delivered = 0;
        long retrying = 0;
        long failed = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true); // each claim and each outcome commits at once
            List<Claimed> claimed;
            do {
                Instant now = now();
                claimed = claim(c, now);
                for (Claimed d : claimed) {
                    String error = send(c, d);
                    Instant done = now();
                    if (error == null) {
                        update(c, "update notification_deliveries set delivered_at = ?, last_error = null where id = ?",
                                done, d.id());
                        delivered++;
                    } else if (d.attempts() >= maxAttempts) {
                        update(c, "update notification_deliveries set failed_at = ?, last_error = ? where id = ?",
                                done, error, d.id());
                        LOG.warnf("notification %d (%s) given up after %d attempts: %s", d.id(), d.channel(),
                                d.attempts(), error);
                        failed++;
                    } else {
                        update(c, "update notification_deliveries set next_attempt_at = ?, last_error = ? where id = ?",
                                done.plus(backoff.after(d.attempts())), error, d.id());
                        LOG.infof("notification %d (%s) attempt %d failed, retrying: %s", d.id(), d.channel(),
                                d.attempts(), error);
                        retrying++;
                    }
                }
            } while (claimed.size() == batchSize);
        } catch (SQLException e) {
            throw new IllegalStateException("notification delivery failed", e);
        }
        return new Outcome(delivered, retrying, failed);
    }

    private List<Claimed> claim(Connection c, Instant now) throws SQLException {
        List<Claimed> claimed = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(CLAIM)) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setInt(2, batchSize);
            s.setTimestamp(3, Timestamp.from(now.plus(LEASE)));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    claimed.add(new Claimed(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getInt(6)));
                }
            }
        }
        return claimed;
    }

    /** @return null when delivered, else why not (no secret in it) */
    private String send(Connection c, Claimed d) {
        ExpiryNotice notice = ExpiryNotice.fromJson(d.payload());
        try {
            if (EMAIL.equals(d.channel())) {
                mail.send(d.target(), notice);
            } else if (WEBHOOK.equals(d.channel())) {
                String secret = webhookSecret(c, d.org());
                if (secret == null) {
                    return "the org has no webhook secret";
                }
                webhook.send(d.target(), secret, notice, clock.instant().getEpochSecond());
            } else {
                return "unknown channel " + d.channel();
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return message.length() > 500 ? message.substring(0, 500) : message;
        }
    }

    private static String webhookSecret(Connection c, String org) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select webhook_secret from orgs where id = ?")) {
            s.setString(1, org);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void update(Connection c, String sql, Instant at, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(at));
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 2, args[i]);
            }
            s.executeUpdate();
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
