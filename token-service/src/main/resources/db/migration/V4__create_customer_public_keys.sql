-- Public JWKs an org registers to sign its own JWTs; kid is unique within an org.
create table customer_public_keys (
    id         text primary key,
    org_id     text not null references orgs (id),
    kid        text not null,
    alg        text not null,
    jwk        text not null,  -- the public JWK as JSON, private members never stored
    created_at timestamptz not null,
    unique (org_id, kid)
);
