-- A cascading revocation walks from a token to the tokens it minted, level by level.
create index tokens_by_minter on tokens (created_by_token_id) where created_by_token_id is not null;
