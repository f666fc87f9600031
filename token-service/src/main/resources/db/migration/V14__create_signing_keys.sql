-- The keys Keyward signs exchanged tokens with (ES256). The private key is sealed with AES-256-GCM
-- under keyward.signing-keys.secret (nonce + ciphertext, the kid as associated data), so neither a
-- database dump nor a swapped row yields a usable key. A retired key stays published until
-- publish_until, when every token it signed has expired.
create table signing_keys (
    kid           text primary key,
    algorithm     text not null,
    public_jwk    text not null,  -- the public JWK as JSON: kty, crv, x, y, kid, alg, use
    private_key   bytea not null,
    created_at    timestamptz not null,
    retired_at    timestamptz,
    publish_until timestamptz
);

