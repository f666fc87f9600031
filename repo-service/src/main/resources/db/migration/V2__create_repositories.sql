-- One row per repository; the bare repository lives on disk at <keyward.repos.dir>/<org>/<repo_id>.git.
create table repositories (
    pk             bigint generated always as identity primary key,
    org            text        not null,
    repo_id        text        not null,
    default_branch text        not null,
    created_at     timestamptz not null,
    constraint repositories_org_repo_id_unique unique (org, repo_id)
);
