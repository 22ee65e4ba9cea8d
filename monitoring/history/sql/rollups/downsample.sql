/* dbconsole */
-- Keep the last sample of every complete bucket: exact for cumulative counters (the difference of
-- two kept samples is the sum of everything in between) and for gauges as of the bucket's end.
-- {source}, {dest} and {bucket} are table names and a date_trunc unit filled in from a fixed list.
INSERT INTO {dest}
SELECT s.*
FROM {source} AS s
WHERE (s.target_id, s.captured_at) IN (
    SELECT
        k.target_id,
        max(k.captured_at)
    FROM {source} AS k
    WHERE k.captured_at >= %(since)s
        AND k.captured_at < %(until)s
    GROUP BY k.target_id, date_trunc('{bucket}', k.captured_at)
)
    AND s.captured_at >= %(since)s
    AND s.captured_at < %(until)s
ON CONFLICT (target_id, captured_at) DO NOTHING
