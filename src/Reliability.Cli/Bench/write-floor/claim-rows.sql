-- 200 claims' rows in one transaction, each table written by one multi-row statement: the cheapest
-- way PostgreSQL takes what the service writes per claim. Per claim: its event (200 events over 144
-- source streams, as about 0.72 streams per claim in the benchmark, the streams locked in id order
-- and their versions moved on once), its document, archived text and watch state, and 118 of the
-- 800 propositions' documents (0.59 per claim) stored again. No reads: the service's reads before
-- deciding, and everything the service does itself, come on top.
\set n random(0, 2000000000)
\set s random(0, 3855)
begin;
with wanted as (select 'source-' || (:s + i) as id, case when i <= 56 then 2 else 1 end as events from generate_series(1, 144) i),
locked as (select s.id, wanted.events from write_floor.mt_streams s join wanted on s.id = wanted.id order by s.id for update of s),
moved as (update write_floor.mt_streams s set version = s.version + locked.events, timestamp = now() from locked
          where locked.id = s.id returning s.id, s.version - locked.events as before, locked.events)
insert into write_floor.mt_events (seq_id, id, stream_id, version, data, bdata, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
select nextval('write_floor.mt_events_sequence'), gen_random_uuid(), moved.id, moved.before + k,
       '{"Claim": {"Id": "c", "Url": "https://x.com/a/status/1", "Hedge": 0, "Option": "yes", "Language": "en", "SourceId": "s", "PublishedAt": "2023-09-28T13:00:00+00:00", "EvidenceUrls": [], "OriginalText": "Some claim text of moderate length, as a post would have it.", "PropositionId": "p", "RelayOfClaimId": null}}',
       null, 'claim_recorded', '*DEFAULT*', now(), 'Reliability.Domain.Events.ClaimRecorded, Reliability.Domain', false
from moved, generate_series(1, 2) k where k <= moved.events;
insert into write_floor.claim (id, data, mt_version, mt_dotnet_type)
select 'claim-' || :n || '-' || i,
       ('{"Id": "claim-' || :n || '-' || i || '", "Url": "https://x.com/a/status/' || :n || i || '", "Hedge": 0, "Option": "yes", "UrlKey": "x.com/a/status/' || :n || i
        || '", "RelayOf": null, "Language": "en", "SourceId": "source-' || (i * 7 % 4000) || '", "PublishedAt": "2023-09-28T13:00:00+00:00", "EvidenceUrls": [], '
        || '"OriginalText": "Some claim text of moderate length, as a post would have it.", "CorrectionIds": [], "PropositionId": "proposition-' || (i * 13 % 800)
        || '", "CorrectionStatus": "live", "ReplacementClaimId": null}')::jsonb,
       gen_random_uuid(), 'Reliability.Grains.Records.ClaimDocument'
from generate_series(1, 200) i;
insert into write_floor.archived_post (id, data, mt_version, mt_dotnet_type)
select 'claim-' || :n || '-' || i,
       ('{"Id": "claim-' || :n || '-' || i || '", "Url": "https://x.com/a/status/' || :n || i || '", "Text": "Some claim text of moderate length, as a post would have it.", '
        || '"ArchivedAt": "2026-11-27T21:09:25.6195073+00:00", "ContentHash": "b6b6bc7905ee674f9887cbe437be48ace039e1fc16125922cb8f59fb338f6f21"}')::jsonb,
       gen_random_uuid(), 'Reliability.Infrastructure.Watching.ArchivedPost'
from generate_series(1, 200) i;
insert into write_floor.claim_watch (id, data, mt_version, mt_dotnet_type, next_check_at)
select 'claim-' || :n || '-' || i,
       ('{"Id": "claim-' || :n || '-' || i || '", "Url": "https://x.com/a/status/' || :n || i || '", "State": 0, "Checks": 0, "CitedAt": null, '
        || '"Evidence": {"State": 0, "JustConfirmed": false, "ConsecutiveGone": 0}, "Finished": false, "SourceId": "source-1", "LastReason": null, '
        || '"LastStatus": null, "RecordedAt": "2026-11-27T21:09:25.6195073+00:00", "ConfirmedAt": null, "LastVerdict": null, '
        || '"NextCheckAt": "2026-11-27T22:11:13.2565256+00:00", "LastCheckedAt": null, "ConsecutiveGone": 0}')::jsonb,
       gen_random_uuid(), 'Reliability.Grains.Watching.ClaimWatch', now() + interval '1 hour'
from generate_series(1, 200) i;
update write_floor.proposition p
set data = jsonb_set(p.data, '{ClaimCount}', to_jsonb((p.data ->> 'ClaimCount')::int + 1)), mt_version = gen_random_uuid(), mt_last_modified = now()
from (select 'proposition-' || ((:n + i * 7) % 800) as id from generate_series(1, 118) i order by 1) touched
where p.id = touched.id;
commit;
