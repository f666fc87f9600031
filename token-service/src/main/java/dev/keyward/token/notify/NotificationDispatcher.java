package dev.keyward.token.notify;

import dev.keyward.token.metrics.TokenMetrics;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.OrgEntity;
import dev.keyward.token.repository.OrgRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
            on conflict (token_id, event_type, channel) do nothing""";

    private static final String CLAIM = """
            with due as (
                select id from notification_deliveries
                where delivered_at is null and failed_at is null and next_attempt_at <= ?1
                order by next_attempt_at
                limit ?2
                for update skip locked)
            update notification_deliveries d set attempts = d.attempts + 1, next_attempt_at = ?3
            from due where d.id = due.id
            returning d.id, d.org_id, d.channel, d.target, d.payload, d.attempts""";

    private final BlockingDatabase database;
    private final OrgRepository orgs;
    private final Clock clock;
    private final MailNotifier mail;
    private final WebhookNotifier webhook;
    private final Backoff backoff;
    private final int maxAttempts;
    private final int batchSize;
    private final TokenMetrics metrics;

    public NotificationDispatcher(BlockingDatabase database, OrgRepository orgs, Clock clock, MailNotifier mail,
                                  WebhookNotifier webhook, TokenMetrics metrics,
                                  @ConfigProperty(name = "keyward.notify.backoff", defaultValue = "30s") Duration firstBackoff,
                                  @ConfigProperty(name = "keyward.notify.max-backoff", defaultValue = "1h") Duration maxBackoff,
                                  @ConfigProperty(name = "keyward.notify.max-attempts", defaultValue = "10") int maxAttempts,
                                  @ConfigProperty(name = "keyward.notify.batch-size", defaultValue = "50") int batchSize) {
        this.database = database;
        this.orgs = orgs;
        this.clock = clock;
        this.mail = mail;
        this.webhook = webhook;
        this.backoff = new Backoff(firstBackoff, maxBackoff);
        this.maxAttempts = maxAttempts;
        this.batchSize = batchSize;
        this.metrics = metrics;
    }

    /** What one delivery pass did. */
    public record Outcome(long delivered, long retrying, long failed) {

        /** As a job's counts. */
        public Map<String, Long> counts() {
            Map<String, Long> counts = new LinkedHashMap<>();
            counts.put("delivered", delivered);
            counts.put("retrying", retrying);
            counts.put("failed", failed);
            return counts;
        }
    }

    /**
     * Queues a notice on {@code channel} to {@code target}, inside the session's open transaction
     * (the one that emits the event it is about). At most one per token, event and channel.
     */
    public static Uni<Void> enqueue(Mutiny.Session session, ExpiryNotice notice, String channel, String target,
                                    Instant now) {
        return session.createNativeQuery(ENQUEUE)
                .setParameter(1, notice.org()).setParameter(2, notice.tokenId()).setParameter(3, notice.type())
                .setParameter(4, channel).setParameter(5, target).setParameter(6, notice.toJson())
                .setParameter(7, BlockingDatabase.at(now))
                .executeUpdate().replaceWithVoid();
    }

    private record Claimed(long id, String org, String channel, String target, String payload, int attempts) {
    }

    /** Delivers every notification due now. Blocking: each claim and each outcome commits at once. */
    public Outcome deliverDue() {
        long delivered = 0;
        long retrying = 0;
        long failed = 0;
        List<Claimed> claimed;
        do {
            Instant now = now();
            claimed = database.await(() -> Panache.withTransaction(() -> claim(now)));
            for (Claimed d : claimed) {
                String error = send(d);
                Instant done = now();
                if (error == null) {
                    update("update notification_deliveries set delivered_at = ?1, last_error = null where id = ?2",
                            done, d.id());
                    delivered++;
                    metrics.delivery(d.channel(), "delivered");
                } else if (d.attempts() >= maxAttempts) {
                    update("update notification_deliveries set failed_at = ?1, last_error = ?2 where id = ?3",
                            done, error, d.id());
                    LOG.warnf("notification %d (%s) given up after %d attempts: %s", d.id(), d.channel(),
                            d.attempts(), error);
                    failed++;
                    metrics.delivery(d.channel(), "failed");
                } else {
                    update("update notification_deliveries set next_attempt_at = ?1, last_error = ?2 where id = ?3",
                            done.plus(backoff.after(d.attempts())), error, d.id());
                    LOG.infof("notification %d (%s) attempt %d failed, retrying: %s", d.id(), d.channel(),
                            d.attempts(), error);
                    retrying++;
                    metrics.delivery(d.channel(), "retrying");
                }
            }
        } while (claimed.size() == batchSize);
        return new Outcome(delivered, retrying, failed);
    }

    private Uni<List<Claimed>> claim(Instant now) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(CLAIM)
                .setParameter(1, BlockingDatabase.at(now)).setParameter(2, batchSize)
                .setParameter(3, BlockingDatabase.at(now.plus(LEASE))).getResultList())
                .map(rows -> rows.stream().map(row -> {
                    Object[] r = (Object[]) row;
                    return new Claimed(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                            (String) r[4], ((Number) r[5]).intValue());
                }).toList());
    }

    /** @return null when delivered, else why not (no secret in it) */
    private String send(Claimed d) {
        ExpiryNotice notice = ExpiryNotice.fromJson(d.payload());
        try {
            if (EMAIL.equals(d.channel())) {
                mail.send(d.target(), notice);
            } else if (WEBHOOK.equals(d.channel())) {
                OrgEntity org = database.await(() -> Panache.withSession(() -> orgs.findById(d.org())));
                String secret = org == null ? null : org.webhookSecret;
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

    private void update(String sql, Instant at, Object... args) {
        database.await(() -> Panache.withTransaction(() -> Panache.getSession().flatMap(s -> {
            var query = s.createNativeQuery(sql).setParameter(1, BlockingDatabase.at(at));
            for (int i = 0; i < args.length; i++) {
                query.setParameter(i + 2, args[i]);
            }
            return query.executeUpdate();
        })));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
