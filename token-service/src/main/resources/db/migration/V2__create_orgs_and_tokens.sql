-- Orgs carry their token policy; the defaults here are SPEC's limits.
create table orgs (
    id                     text primary key,
    created_at             timestamptz not null default now(),
    default_ttl_seconds    bigint  not null default 7776000,
    min_expires_in_seconds bigint  not null default 3600,
    max_expires_in_seconds bigint  not null default 31536000,
    allow_never_expiring   boolean not null default false,
    max_active_per_user    integer not null default 12,
    max_active_per_org     integer not null default 1000,
    default_cidrs          text,   -- JSON array of CIDR blocks, applied when a request names none
    webhook_url            text    -- stored for deprecation notices
);

-- Only keyed hashes (HMAC-SHA-256 with the server pepper) of keys are stored, never a key.
create table tokens (
    id                      text primary key,
    org_id                  text not null references orgs (id),
    key_hash                text not null unique,
    key_prefix              text not null,
    previous_key_hash       text unique,  -- the key replaced by the last rotation, valid until previous_key_expires_at
    previous_key_prefix     text,
    previous_key_expires_at timestamptz,
    name                    text not null,
    kind                    text not null,
    environment             text not null,
    scopes                  text not null,  -- canonical wire form, JSON
    allowed_cidrs           text,           -- JSON array
    created_at              timestamptz not null,
    expires_at              timestamptz,    -- null: never
    revoked_at              timestamptz,
    rotated_at              timestamptz,
    last_used_at            timestamptz,
    created_by_type         text not null,  -- person | token | system
    created_by_user_id      text not null,
    created_by_name         text,
    created_by_token_id     text,
    created_by_token_prefix text
);

create index tokens_org_page on tokens (org_id, created_at, id);
create index tokens_live_by_creator on tokens (org_id, created_by_user_id) where revoked_at is null;
