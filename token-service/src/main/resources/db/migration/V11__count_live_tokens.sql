-- Live-token counters, so a create checks the org's and the creator's limits without counting
-- their tokens. "Live" = neither revoked nor marked expired: a superset of the active tokens
-- (a token past expires_at stays live until the expiry job marks it). A counter below the
-- limit therefore proves the limit holds; at or above it, the service counts exactly.
-- Every statement that makes a token live or ends its life changes the counters in the same
-- transaction; locks are taken org row first, then creator row.
alter table orgs add column live_tokens integer not null default 0;

create table creator_live_tokens (
    org_id             text    not null references orgs (id),
    created_by_user_id text    not null,
    live               integer not null,
    primary key (org_id, created_by_user_id)
);

update orgs o set live_tokens = (
    select count(*) from tokens t where t.org_id = o.id and t.revoked_at is null and t.expired_at is null);

insert into creator_live_tokens (org_id, created_by_user_id, live)
select org_id, created_by_user_id, count(*) from tokens
where revoked_at is null and expired_at is null
group by org_id, created_by_user_id;

-- The exact count, when a counter reaches a limit, reads only live rows of one org.
create index tokens_live_by_org on tokens (org_id, created_by_user_id, expires_at)
    where revoked_at is null and expired_at is null;
drop index tokens_live_by_creator;
