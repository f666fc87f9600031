-- The audit service's schema starts here; later migrations add its tables.
create table if not exists service_info (
    name text primary key,
    value text not null
);
insert into service_info (name, value) values ('schema_owner', 'audit-service') on conflict do nothing;
