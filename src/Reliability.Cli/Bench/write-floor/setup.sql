-- The tables one claim writes, shaped as Marten 9 creates them for the service (columns, keys,
-- indexes, the events' foreign key), in a schema of their own, plus the raw baseline's table.
-- Seeded with 4,000 streams and 800 propositions, the size of one of the benchmark's sets.
drop schema if exists write_floor cascade;
create schema write_floor;
set search_path = write_floor;

create sequence mt_events_sequence;
create table mt_streams (
    id varchar primary key, type varchar, version bigint, timestamp timestamptz not null default now(),
    created timestamptz not null default now(), tenant_id varchar default '*DEFAULT*',
    compacted_version bigint not null default 0, is_archived bool default false);
create table mt_events (
    seq_id bigint primary key, id uuid not null, stream_id varchar references mt_streams (id) on delete cascade,
    version bigint not null, data jsonb not null, bdata bytea, type varchar(500) not null,
    timestamp timestamptz not null default now(), tenant_id varchar default '*DEFAULT*',
    mt_dotnet_type varchar, is_archived bool default false);
create unique index pk_mt_events_stream_and_version on mt_events (stream_id, version);

create table claim (id varchar primary key, data jsonb not null, mt_last_modified timestamptz default transaction_timestamp(),
    mt_version uuid not null, mt_dotnet_type varchar);
create index claim_proposition on claim ((data ->> 'PropositionId'));
create index claim_source_proposition on claim ((data ->> 'SourceId'), (data ->> 'PropositionId'));
create index claim_url_key on claim ((data ->> 'UrlKey'));
create table archived_post (id varchar primary key, data jsonb not null, mt_last_modified timestamptz default transaction_timestamp(),
    mt_version uuid not null, mt_dotnet_type varchar);
create table claim_watch (id varchar primary key, data jsonb not null, mt_last_modified timestamptz default transaction_timestamp(),
    mt_version uuid not null, mt_dotnet_type varchar, next_check_at timestamptz);
create index claim_watch_next_check_at on claim_watch (next_check_at);
create table proposition (id varchar primary key, data jsonb not null, mt_last_modified timestamptz default transaction_timestamp(),
    mt_version uuid not null, mt_dotnet_type varchar);
create index proposition_state on proposition ((data ->> 'State'));

create table raw_claim (id text primary key, source_id text not null, proposition_id text not null, option text not null,
    published_at timestamptz not null, url text, body jsonb not null);
create index raw_claim_source on raw_claim (source_id);

insert into mt_streams (id, version) select 'source-' || i, 1 from generate_series(0, 3999) i;
insert into mt_events (seq_id, id, stream_id, version, data, type)
    select nextval('mt_events_sequence'), gen_random_uuid(), 'source-' || i, 1, '{}', 'source_registered' from generate_series(0, 3999) i;
insert into proposition (id, data, mt_version)
    select 'proposition-' || i, '{"ClaimCount": 3, "State": "open", "ClaimedOptions": ["yes"], "Proposition": {"Question": "Did it happen?", "Options": ["yes", "no"]}}', gen_random_uuid()
    from generate_series(0, 799) i;
