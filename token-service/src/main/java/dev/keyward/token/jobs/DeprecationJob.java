package dev.keyward.token.jobs;

import dev.keyward.events.KeywardEvent;
import dev.keyward.token.domain.OrgPolicy;
import dev.keyward.token.notify.ExpiryNotice;
import dev.keyward.token.notify.NotificationDispatcher;
import dev.keyward.token.outbox.OutboxRelay;
import dev.keyward.token.repository.BlockingDatabase;
import dev.keyward.token.repository.TokenEntity;
import dev.keyward.token.service.EventOutbox;
import dev.keyward.token.service.TokenEvents;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Deprecation notices. Every live token expiring within its org's {@code notice_days} (policy, default 14)
 * gets exactly one {@code token:expiring} event and one notification: an e-mail to
 * {@code tokens.notify_email}, else the org's {@code contact_email}, and a signed webhook when the
 * org has a {@code webhook_url} (and a {@code webhook_secret}). Stamp, event and queued deliveries
 * commit together per batch; the deliveries are then sent by {@link NotificationDispatcher}, still
 * under the job's lock.
 */
@ApplicationScoped
public class DeprecationJob implements ScheduledJob {

    public static final String NAME = "deprecation";
    private static final Logger LOG = Logger.getLogger(DeprecationJob.class);

    private static final String STAMP = """
            with due as (
                select t.id from tokens t join orgs o on o.id = t.org_id
                where t.expiring_notified_at is null and %s
                  and t.expires_at is not null and t.expires_at <= ?2
                  and t.expires_at <= cast(?1 as timestamptz) + make_interval(days => o.notice_days)
                order by t.expires_at
                limit ?3
                for update of t skip locked)
            update tokens t set expiring_notified_at = ?1
            from due, orgs o
            where t.id = due.id and o.id = t.org_id
            returning t.id, t.org_id, t.key_prefix, t.name, t.expires_at,
                      coalesce(t.notify_email, o.contact_email), o.webhook_url, o.webhook_secret is not null"""
            .formatted(TokenEntity.activeSql("?1"));

    private final BlockingDatabase database;
    private final Clock clock;
    private final OutboxRelay relay;
    private final EventOutbox outbox;
    private final NotificationDispatcher dispatcher;
    private final int batchSize;

    public DeprecationJob(BlockingDatabase database, Clock clock, OutboxRelay relay, EventOutbox outbox,
                          NotificationDispatcher dispatcher,
                          @ConfigProperty(name = "keyward.jobs.batch-size", defaultValue = "500") int batchSize) {
        this.database = database;
        this.clock = clock;
        this.relay = relay;
        this.outbox = outbox;
        this.dispatcher = dispatcher;
        this.batchSize = batchSize;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** "kwdeprec". */
    @Override
    public long lockKey() {
        return 0x6b77646570726563L;
    }

    /** One run: every due token noticed, then every due notification sent. */
    @Override
    public Map<String, Long> run() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        long[] counts = new long[3];
        int stamped;
        do {
            stamped = database.await(() -> Panache.withTransaction(() -> stampBatch(now, counts)));
            if (stamped > 0) {
                relay.wakeUp();
            }
        } while (stamped == batchSize);
        Map<String, Long> result = new LinkedHashMap<>();
        result.put("notified", counts[0]);
        result.put("emails_queued", counts[1]);
        result.put("webhooks_queued", counts[2]);
        // Send right away what this run queued (and any retries that are due).
        result.putAll(dispatcher.deliverDue().counts());
        return result;
    }

    private record Due(String id, String org, String keyPrefix, String name, Instant expiresAt, String email,
                       String webhookUrl, boolean hasSecret) {
    }

    private Uni<Integer> stampBatch(Instant now, long[] counts) {
        // The index bound: no org's notice period is longer than the policy's maximum.
        Instant bound = now.plus(Duration.ofDays(OrgPolicy.MAX_NOTICE_DAYS));
        return Panache.getSession().flatMap(s -> s.createNativeQuery(STAMP)
                .setParameter(1, BlockingDatabase.at(now)).setParameter(2, BlockingDatabase.at(bound))
                .setParameter(3, batchSize).getResultList()
                .flatMap(rows -> {
                    List<KeywardEvent> events = new ArrayList<>();
                    Uni<Void> queued = Uni.createFrom().voidItem();
                    for (Object row : rows) {
                        Object[] r = (Object[]) row;
                        Due d = new Due((String) r[0], (String) r[1], (String) r[2], (String) r[3],
                                BlockingDatabase.instant(r[4]), (String) r[5], (String) r[6], Boolean.TRUE.equals(r[7]));
                        KeywardEvent event = TokenEvents.expiring(d.id(), d.org(), d.keyPrefix(), d.name(), d.expiresAt(), now);
                        events.add(event);
                        ExpiryNotice notice = new ExpiryNotice(event.id(), event.type().wireName(), now.toString(), d.org(),
                                d.id(), d.keyPrefix(), d.name(), d.expiresAt().toString());
                        if (d.email() != null && !d.email().isBlank()) {
                            queued = queued.chain(() -> NotificationDispatcher.enqueue(s, notice,
                                    NotificationDispatcher.EMAIL, d.email(), now));
                            counts[1]++;
                        }
                        if (d.webhookUrl() != null && !d.webhookUrl().isBlank()) {
                            if (d.hasSecret()) {
                                queued = queued.chain(() -> NotificationDispatcher.enqueue(s, notice,
                                        NotificationDispatcher.WEBHOOK, d.webhookUrl(), now));
                                counts[2]++;
                            } else {
                                LOG.warnf("org %s has a webhook URL but no webhook secret: no webhook for token %s",
                                        d.org(), d.id());
                            }
                        }
                    }
                    counts[0] += rows.size();
                    return queued.chain(() -> outbox.append(events)).replaceWith(rows.size());
                }));
    }
}
