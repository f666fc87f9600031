-- Every stored event, one hash-chained row per event and org. Append-only: the trigger below
-- refuses updates, and deletes unless the retention purge has declared itself for this transaction.
create table audit_event (
    org         text        not null,
    seq         bigint      not null,
    event_id    text        not null,
    type        text        not null,
    time        timestamptz not null,
    subject     text,
    actor       text,
    key_prefix  text,
    repo        text,
    client_ip   text,
    content     text        not null,
    prev_hash   bytea       not null,
    hash        bytea       not null,
    ingested_at timestamptz not null default now(),
    primary key (org, seq),
    constraint audit_event_event_id_unique unique (event_id)
);

-- Newest-first listing and keyset pagination on (time, seq) within an org. Only the filters that
-- need it get their own index (token id; failed authentications for /v1/auth/health): every index
-- costs ingestion throughput, and type/actor/repo filters walk the org's time index instead.
create index audit_event_org_time on audit_event (org, time desc, seq desc);
create index audit_event_org_subject_time on audit_event (org, subject, time desc, seq desc) where subject is not null;
create index audit_event_auth_failed on audit_event (org, time) where type = 'auth:failed';
-- Retention finds what is due by insertion time, which follows the physical order: BRIN is enough.
create index audit_event_ingested_at on audit_event using brin (ingested_at);

-- The newest link of each org's chain. Ingestion locks these rows (in org order) so that replicas
-- and partitions append to one org's chain one transaction at a time.
create table chain_head (
    org       text   primary key,
    last_seq  bigint not null,
    last_hash bytea  not null
);

-- Where each org's chain starts after retention removed its oldest rows: verification begins at
-- anchor_seq + 1 with anchor_hash as the previous hash.
create table chain_anchor (
    org           text        primary key,
    anchor_seq    bigint      not null,
    anchor_hash   bytea       not null,
    purged_before timestamptz not null,
    updated_at    timestamptz not null default now()
);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('keyward.audit_retention_purge', true) = 'on' then
        return old;
    end if;
    raise exception 'audit_event is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_append_only
    before update or delete on audit_event
    for each row execute function audit_event_append_only();

create function audit_event_no_truncate() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only (TRUNCATE refused)' using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_no_truncate
    before truncate on audit_event
    for each statement execute function audit_event_no_truncate();
