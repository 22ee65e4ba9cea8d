/* dbconsole */
-- Scans of every index over a range: reset-aware differences of idx_scan between consecutive samples
-- (a counter lower than in the previous sample was reset and counts from zero: its growth is its
-- value). Samples: {tier} rows in the range, the raw rows newer than the newest of them (the part not
-- rolled up yet; only when {tier} is a rollup), and the newest sample before the range as the baseline.
-- {tier} is a table name filled in from a fixed list.
-- Rows: seq, first and last sample, number of samples, scans, last sample that saw scans.
WITH picked AS (
    SELECT
        p.captured_at,
        p.i_seqs,
        p.i_scans
    FROM {tier} AS p
    WHERE p.target_id = %(t)s
        AND p.captured_at >= %(start)s
        AND p.captured_at <= %(end)s
),
tail AS (
    SELECT
        r.captured_at,
        r.i_seqs,
        r.i_scans
    FROM monitoring_relation_raw AS r
    WHERE %(rollup)s
        AND r.target_id = %(t)s
        AND r.captured_at > coalesce((SELECT max(k.captured_at) FROM picked AS k), %(start)s - interval '1 microsecond')
        AND r.captured_at <= %(end)s
),
baseline AS (
    SELECT
        b.captured_at,
        b.i_seqs,
        b.i_scans
    FROM (
        (SELECT x.captured_at, x.i_seqs, x.i_scans
         FROM {tier} AS x
         WHERE x.target_id = %(t)s
             AND x.captured_at < %(start)s
         ORDER BY x.captured_at DESC
         LIMIT 1)
        UNION ALL
        (SELECT y.captured_at, y.i_seqs, y.i_scans
         FROM monitoring_relation_raw AS y
         WHERE y.target_id = %(t)s
             AND y.captured_at < %(start)s
         ORDER BY y.captured_at DESC
         LIMIT 1)
    ) AS b
    ORDER BY b.captured_at DESC
    LIMIT 1
),
samples AS (
    SELECT * FROM baseline
    UNION ALL
    SELECT * FROM picked
    UNION ALL
    SELECT * FROM tail
),
steps AS (
    SELECT
        s.captured_at,
        u.seq,
        u.scans,
        lag(u.scans) OVER (PARTITION BY u.seq ORDER BY s.captured_at) AS previous
    FROM samples AS s
    CROSS JOIN LATERAL unnest(s.i_seqs, s.i_scans) AS u (seq, scans)
)
SELECT
    st.seq,
    min(st.captured_at) AS since,
    max(st.captured_at) AS until,
    count(*) AS samples,
    coalesce(sum(CASE WHEN st.previous IS NULL THEN 0
                      WHEN st.scans >= st.previous THEN st.scans - st.previous
                      ELSE st.scans END), 0)::int8 AS scans,
    max(st.captured_at) FILTER (WHERE st.previous IS NOT NULL
                                  AND (st.scans > st.previous OR (st.scans < st.previous AND st.scans > 0)))
        AS last_seen_scanning
FROM steps AS st
GROUP BY st.seq
