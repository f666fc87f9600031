-- A token:used or auth:failed event may stand for several identical uses folded by a verifier
-- (data.count). The count is a column so that /v1/auth/health sums it instead of counting rows;
-- every earlier event (and every other type) is one use. A constant default adds no rewrite.
alter table audit_event add column use_count bigint not null default 1;
