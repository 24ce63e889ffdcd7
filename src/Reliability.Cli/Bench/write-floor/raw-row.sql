-- The raw baseline: one claim's row, one autocommitted INSERT.
\set n random(0, 2000000000)
insert into write_floor.raw_claim (id, source_id, proposition_id, option, published_at, url, body)
values ('raw-' || :n || '-' || :client_id || '-' || random(), 'source-' || (:n % 4000), 'proposition-' || (:n % 800), 'yes', now(),
        'https://x.com/a/status/' || :n,
        '{"Id": "c", "SourceId": "s", "PropositionId": "p", "Option": "yes", "Url": "https://x.com/a/status/1", "Text": "Some claim text of moderate length, as a post would have it.", "Hedge": "asserted", "Language": "en"}');
