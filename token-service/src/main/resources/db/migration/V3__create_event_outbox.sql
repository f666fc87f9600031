-- Transactional outbox: an event row commits with the change it describes; the relay publishes
-- unsent rows to Kafka in id order and stamps sent_at only after the broker acknowledged them.
create table event_outbox (
    id         bigserial primary key,
    event_id   text not null unique,
    event_type text not null,
    org_id     text not null,
    payload    text not null,  -- EventCodec JSON
    created_at timestamptz not null default now(),
    sent_at    timestamptz
);

create index event_outbox_unsent on event_outbox (id) where sent_at is null;
