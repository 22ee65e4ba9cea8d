/* dbconsole */
-- Total size (heap + TOAST + indexes, bytes) of the given tables in each sample of a range: {tier}
-- rows, then the raw rows newer than the newest of them (not rolled up yet; only when {tier} is a
-- rollup). {tier} is a table name filled in from a fixed list. A table absent from a sample (not
-- created yet, or dropped) has no row for it, rather than a zero.
WITH picked AS (
    SELECT
        p.captured_at,
        p.t_seqs,
        p.t_heap_bytes,
        p.t_toast_bytes,
        p.t_index_bytes
    FROM {tier} AS p
    WHERE p.target_id = %(t)s
        AND p.captured_at >= %(start)s
        AND p.captured_at <= %(end)s
),
tail AS (
    SELECT
        r.captured_at,
        r.t_seqs,
        r.t_heap_bytes,
        r.t_toast_bytes,
        r.t_index_bytes
    FROM monitoring_relation_raw AS r
    WHERE %(rollup)s
        AND r.target_id = %(t)s
        AND r.captured_at > coalesce((SELECT max(k.captured_at) FROM picked AS k), %(start)s - interval '1 microsecond')
        AND r.captured_at <= %(end)s
),
samples AS (
    SELECT * FROM picked
    UNION ALL
    SELECT * FROM tail
)
SELECT
    s.captured_at,
    u.seq,
    (u.heap + u.toast + u.idx)::int8 AS total_bytes
FROM samples AS s
CROSS JOIN LATERAL unnest(s.t_seqs, s.t_heap_bytes, s.t_toast_bytes, s.t_index_bytes) AS u (seq, heap, toast, idx)
WHERE u.seq = ANY(%(seqs)s::int4[])
ORDER BY s.captured_at, u.seq
