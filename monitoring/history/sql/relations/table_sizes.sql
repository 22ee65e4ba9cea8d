/* dbconsole */
-- Total size (heap + TOAST + indexes, bytes) of the given tables in each sample of a range, at the
-- coarsest resolution allowed (%(use_day)s, %(use_hour)s): the daily rows in the range, the hourly
-- rows after the newest of those, the raw rows after the newest hourly one (the part not rolled up
-- yet). A table absent from a sample (not created yet, or dropped) has no row there, not a zero.
WITH day_rows AS (
    SELECT d.captured_at, d.t_seqs, d.t_heap_bytes, d.t_toast_bytes, d.t_index_bytes
    FROM monitoring_relation_day AS d
    WHERE %(use_day)s
        AND d.target_id = %(t)s
        AND d.captured_at >= %(start)s
        AND d.captured_at <= %(end)s
),
hour_rows AS (
    SELECT h.captured_at, h.t_seqs, h.t_heap_bytes, h.t_toast_bytes, h.t_index_bytes
    FROM monitoring_relation_hour AS h
    WHERE %(use_hour)s
        AND h.target_id = %(t)s
        AND h.captured_at >= %(start)s
        AND h.captured_at > coalesce((SELECT max(k.captured_at) FROM day_rows AS k), '-infinity')
        AND h.captured_at <= %(end)s
),
raw_rows AS (
    SELECT r.captured_at, r.t_seqs, r.t_heap_bytes, r.t_toast_bytes, r.t_index_bytes
    FROM monitoring_relation_raw AS r
    WHERE r.target_id = %(t)s
        AND r.captured_at >= %(start)s
        AND r.captured_at > coalesce((SELECT max(k.captured_at) FROM hour_rows AS k),
                                     (SELECT max(k.captured_at) FROM day_rows AS k), '-infinity')
        AND r.captured_at <= %(end)s
),
samples AS (
    SELECT * FROM day_rows
    UNION ALL
    SELECT * FROM hour_rows
    UNION ALL
    SELECT * FROM raw_rows
)
SELECT
    s.captured_at,
    u.seq,
    (u.heap + u.toast + u.idx)::int8 AS total_bytes
FROM samples AS s
CROSS JOIN LATERAL unnest(s.t_seqs, s.t_heap_bytes, s.t_toast_bytes, s.t_index_bytes) AS u (seq, heap, toast, idx)
WHERE u.seq = ANY(%(seqs)s::int4[])
ORDER BY s.captured_at, u.seq
