/* dbconsole */
-- Scans of every index over a range: reset-aware differences of idx_scan between consecutive samples
-- (a counter lower than in the previous sample was reset and counts from zero: its growth is its
-- value). The differences of a cumulative counter add up whatever samples are taken, so the range is
-- covered coarsely: the daily rows in it, the hourly rows after the newest of those, the raw rows
-- after the newest hourly one — a few dozen samples, not thousands — plus the newest sample before
-- the range as the baseline and the first one in it. Around a restart or a statistics reset the counters start again from
-- zero and a coarse step would miss what came before the reset, so the hourly and raw samples near
-- each one are added too.
-- Rows: seq, first and last sample, number of samples, scans, and the two samples between which
-- the index was last seen scanning.
WITH day_rows AS (
    SELECT d.captured_at, d.i_seqs, d.i_scans
    FROM monitoring_relation_day AS d
    WHERE d.target_id = %(t)s
        AND d.captured_at >= %(start)s
        AND d.captured_at <= %(end)s
),
hour_rows AS (
    SELECT h.captured_at, h.i_seqs, h.i_scans
    FROM monitoring_relation_hour AS h
    WHERE h.target_id = %(t)s
        AND h.captured_at >= %(start)s
        AND h.captured_at > coalesce((SELECT max(k.captured_at) FROM day_rows AS k), '-infinity')
        AND h.captured_at <= %(end)s
),
raw_rows AS (
    SELECT r.captured_at, r.i_seqs, r.i_scans
    FROM monitoring_relation_raw AS r
    WHERE r.target_id = %(t)s
        AND r.captured_at >= %(start)s
        AND r.captured_at > coalesce((SELECT max(k.captured_at) FROM hour_rows AS k),
                                     (SELECT max(k.captured_at) FROM day_rows AS k), '-infinity')
        AND r.captured_at <= %(end)s
),
resets AS (
    SELECT e.at
    FROM monitoring_event AS e
    WHERE e.target_id = %(t)s
        AND e.kind IN ('restart', 'database_stats_reset')
        AND e.at >= %(start)s - interval '1 day'
        AND e.at <= %(end)s + interval '1 day'
),
near_resets AS (
    SELECT h.captured_at, h.i_seqs, h.i_scans
    FROM monitoring_relation_hour AS h
    WHERE h.target_id = %(t)s
        AND h.captured_at >= %(start)s
        AND h.captured_at <= %(end)s
        AND EXISTS (SELECT 1 FROM resets AS x
                    WHERE h.captured_at BETWEEN x.at - interval '1 day' AND x.at + interval '1 day')
    UNION ALL
    SELECT r.captured_at, r.i_seqs, r.i_scans
    FROM monitoring_relation_raw AS r
    WHERE r.target_id = %(t)s
        AND r.captured_at >= %(start)s
        AND r.captured_at <= %(end)s
        AND EXISTS (SELECT 1 FROM resets AS x
                    WHERE r.captured_at BETWEEN x.at - interval '1 hour' AND x.at + interval '1 hour')
),
baseline AS (
    SELECT b.captured_at, b.i_seqs, b.i_scans
    FROM (
        (SELECT y.captured_at, y.i_seqs, y.i_scans
         FROM monitoring_relation_raw AS y
         WHERE y.target_id = %(t)s
             AND y.captured_at < %(start)s
         ORDER BY y.captured_at DESC
         LIMIT 1)
        UNION ALL
        (SELECT x.captured_at, x.i_seqs, x.i_scans
         FROM monitoring_relation_hour AS x
         WHERE x.target_id = %(t)s
             AND x.captured_at < %(start)s
         ORDER BY x.captured_at DESC
         LIMIT 1)
        UNION ALL
        (SELECT z.captured_at, z.i_seqs, z.i_scans
         FROM monitoring_relation_day AS z
         WHERE z.target_id = %(t)s
             AND z.captured_at < %(start)s
         ORDER BY z.captured_at DESC
         LIMIT 1)
    ) AS b
    ORDER BY b.captured_at DESC
    LIMIT 1
),
first_in_range AS (
    -- Needed when the history starts inside the range: a daily row stands for the end of its day.
    SELECT f.captured_at, f.i_seqs, f.i_scans
    FROM (
        (SELECT y.captured_at, y.i_seqs, y.i_scans
         FROM monitoring_relation_raw AS y
         WHERE y.target_id = %(t)s
             AND y.captured_at >= %(start)s
             AND y.captured_at <= %(end)s
         ORDER BY y.captured_at
         LIMIT 1)
        UNION ALL
        (SELECT x.captured_at, x.i_seqs, x.i_scans
         FROM monitoring_relation_hour AS x
         WHERE x.target_id = %(t)s
             AND x.captured_at >= %(start)s
             AND x.captured_at <= %(end)s
         ORDER BY x.captured_at
         LIMIT 1)
    ) AS f
    ORDER BY f.captured_at
    LIMIT 1
),
samples AS (
    -- A sample may come twice (a rollup row is a copy of a raw one): the same time once.
    SELECT DISTINCT ON (a.captured_at) a.captured_at, a.i_seqs, a.i_scans
    FROM (
        SELECT * FROM baseline
        UNION ALL
        SELECT * FROM first_in_range
        UNION ALL
        SELECT * FROM day_rows
        UNION ALL
        SELECT * FROM hour_rows
        UNION ALL
        SELECT * FROM raw_rows
        UNION ALL
        SELECT * FROM near_resets
    ) AS a
    ORDER BY a.captured_at
),
steps AS (
    SELECT
        s.captured_at,
        u.seq,
        u.scans,
        lag(u.scans) OVER w AS previous,
        lag(s.captured_at) OVER w AS previous_at
    FROM samples AS s
    CROSS JOIN LATERAL unnest(s.i_seqs, s.i_scans) AS u (seq, scans)
    WINDOW w AS (PARTITION BY u.seq ORDER BY s.captured_at)
),
graded AS (
    SELECT
        st.*,
        st.previous IS NOT NULL
            AND (st.scans > st.previous OR (st.scans < st.previous AND st.scans > 0)) AS grew
    FROM steps AS st
)
SELECT
    g.seq,
    min(g.captured_at) AS since,
    max(g.captured_at) AS until,
    count(*) AS samples,
    coalesce(sum(CASE WHEN g.previous IS NULL THEN 0
                      WHEN g.scans >= g.previous THEN g.scans - g.previous
                      ELSE g.scans END), 0)::int8 AS scans,
    max(g.captured_at) FILTER (WHERE g.grew) AS last_seen_scanning,
    max(g.previous_at) FILTER (WHERE g.grew) AS last_seen_after
FROM graded AS g
GROUP BY g.seq
