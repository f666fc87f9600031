-- Workload identity exchange (SPEC "Secretless CI"). A trust policy says which OIDC tokens of which
-- issuer an org accepts, and what a matching workload gets. Deleting one keeps the row (deleted_at):
-- verifiers must keep refusing the tokens it allowed until the last of them has expired.
create table trust_policies (
    id             text primary key,
    org_id         text not null references orgs (id) on delete cascade,
    name           text not null,
    issuer         text not null,
    audience       text not null,
    subject        text not null,
    claims         text not null,  -- JSON object: claim name -> glob
    scopes         text not null,  -- JSON scope map, as tokens hold it
    max_ttl        bigint not null,
    created_at     timestamptz not null,
    created_by     text not null,
    deleted_at     timestamptz
);
create index trust_policies_live_by_org on trust_policies (org_id, issuer) where deleted_at is null;
create index trust_policies_deleted on trust_policies (deleted_at) where deleted_at is not null;

-- Every token an exchange issued: the secret itself is never stored (it is a signed JWT the
-- workload holds); the row lets an admin revoke one by its jti and the expiry job forget it.
create table exchanged_tokens (
    jti             text primary key,
    org_id          text not null references orgs (id) on delete cascade,
    trust_policy_id text not null references trust_policies (id) on delete cascade,
    subject         text not null,
    issuer          text not null,
    scopes          text not null,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    revoked_at      timestamptz
);
create index exchanged_tokens_revoked on exchanged_tokens (org_id, expires_at) where revoked_at is not null;
create index exchanged_tokens_expiry on exchanged_tokens (expires_at);
