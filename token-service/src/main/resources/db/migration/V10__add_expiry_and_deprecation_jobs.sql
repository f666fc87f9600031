-- Scheduled jobs: expiry cleanup and deprecation notices.

-- Set by the expiry job in the transaction that emits token:expired: once set, never again.
alter table tokens add column expired_at timestamptz;
-- Set by the deprecation job in the transaction that emits token:expiring and queues notifications.
alter table tokens add column expiring_notified_at timestamptz;
-- Where a deprecation notice for this token goes; the org's contact_email when null.
alter table tokens add column notify_email text;

alter table orgs add column contact_email text;
-- Key of the HMAC-SHA-256 signature on webhook deliveries; no webhook is sent without it.
alter table orgs add column webhook_secret text;

-- Partial indexes keep each job's cost proportional to what is due, not to the table:
-- live tokens with an expiry that the expiry job has not marked yet,
create index tokens_expiry_due on tokens (expires_at)
    where expired_at is null and revoked_at is null and expires_at is not null;
-- live tokens with an expiry that have had no deprecation notice yet,
create index tokens_notice_due on tokens (expires_at)
    where expiring_notified_at is null and expired_at is null and revoked_at is null and expires_at is not null;
-- and retired tokens by the time they were retired (for the retention purge).
create index tokens_retired on tokens ((coalesce(revoked_at, expired_at)))
    where revoked_at is not null or expired_at is not null;

-- Notifications to deliver (e-mail, webhook), written in the transaction that emits token:expiring.
-- A row is delivered at least once: attempts/next_attempt_at survive crashes and restarts.
create table notification_deliveries (
    id              bigserial primary key,
    org_id          text not null,
    token_id        text not null references tokens (id) on delete cascade,
    event_type      text not null,       -- the event this notifies about, e.g. token:expiring
    channel         text not null,       -- email | webhook
    target          text not null,       -- the address or the URL, fixed when queued
    payload         text not null,       -- JSON: the webhook body, or the facts the mail is built from
    created_at      timestamptz not null,
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null,
    delivered_at    timestamptz,
    failed_at       timestamptz,         -- gave up after the last attempt
    last_error      text,
    unique (token_id, event_type, channel)
);

create index notification_deliveries_due on notification_deliveries (next_attempt_at)
    where delivered_at is null and failed_at is null;
