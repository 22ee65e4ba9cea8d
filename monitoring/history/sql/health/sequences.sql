/* dbconsole */
-- Per target, from its newest sequences snapshot: the sequences that have used at least
-- %(threshold)s percent of their range (of the tighter of the column type and the sequence maximum).
-- A snapshot without such a sequence still gives one row (NULL item): "checked, all fine".
SELECT
    t.id AS target_id,
    s.captured_at,
    e.item
FROM unnest(%(targets)s::int4[]) AS t(id)
CROSS JOIN LATERAL (
    SELECT x.captured_at, x.sequences
    FROM monitoring_sequencesnapshot AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS s
LEFT JOIN LATERAL (
    SELECT j.item
    FROM jsonb_array_elements(s.sequences) AS j(item)
    WHERE jsonb_typeof(j.item -> 'percent_used') = 'number'
        AND (j.item ->> 'percent_used')::float8 >= %(threshold)s
) AS e ON true
ORDER BY t.id, (e.item ->> 'percent_used')::float8 DESC NULLS LAST
