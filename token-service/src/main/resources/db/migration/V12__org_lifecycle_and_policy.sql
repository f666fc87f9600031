-- Orgs get a lifecycle (created by platform operators, suspended, resumed, deleted) and the rest
-- of their policy; operators' caps bound what an org admin may set.
alter table orgs add column name text;
alter table orgs add column state text not null default 'active';   -- active | suspended | deleted
alter table orgs add column state_changed_at timestamptz;
alter table orgs add column max_jwt_lifetime_seconds bigint not null default 86400;
-- Requests per second per token; null: each service's configured default.
alter table orgs add column rate_limit_prod double precision;
alter table orgs add column rate_limit_dev double precision;
alter table orgs add column notice_days integer not null default 14;
alter table orgs add column leak_action text not null default 'block_and_revoke';
-- Caps only a platform operator may change.
alter table orgs add column cap_max_ttl_seconds bigint not null default 31536000;
alter table orgs add column cap_max_tokens_per_org integer not null default 1000;
alter table orgs add column cap_max_jwt_lifetime_seconds bigint not null default 604800;
alter table orgs add column cap_rate_limit_prod double precision;  -- null: no cap
alter table orgs add column cap_rate_limit_dev double precision;

update orgs set name = id where name is null;
alter table orgs alter column name set not null;
