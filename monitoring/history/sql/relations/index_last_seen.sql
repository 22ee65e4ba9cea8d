/* dbconsole */
-- The last two samples, over the whole history up to %(end)s, between which each of the given indexes
-- was scanned (what "last used" can say where last_idx_scan does not exist). Differences of a
-- cumulative counter add up whatever samples they are taken between, so the history is covered
-- coarsely: daily rows, the hourly rows newer than the newest daily one, the raw rows newer than the
-- newest hourly one, the very first sample (where watching began), and the finer samples around
-- restarts and statistics resets — a few hundred samples whatever the length of the history. The
-- answer is as precise as the samples it falls between: a day, an hour, or five minutes.
WITH newest AS (
    SELECT
        (SELECT max(d.captured_at) FROM monitoring_relation_day AS d
         WHERE d.target_id = %(t)s AND d.captured_at <= %(end)s) AS day_max,
        (SELECT max(h.captured_at) FROM monitoring_relation_hour AS h
         WHERE h.target_id = %(t)s AND h.captured_at <= %(end)s) AS hour_max
),
first_sample AS (
    SELECT f.captured_at, f.i_seqs, f.i_scans
    FROM (
        (SELECT y.captured_at, y.i_seqs, y.i_scans
         FROM monitoring_relation_raw AS y
         WHERE y.target_id = %(t)s
         ORDER BY y.captured_at
         LIMIT 1)
        UNION ALL
        (SELECT x.captured_at, x.i_seqs, x.i_scans
         FROM monitoring_relation_hour AS x
         WHERE x.target_id = %(t)s
         ORDER BY x.captured_at
         LIMIT 1)
        UNION ALL
        (SELECT z.captured_at, z.i_seqs, z.i_scans
         FROM monitoring_relation_day AS z
         WHERE z.target_id = %(t)s
         ORDER BY z.captured_at
         LIMIT 1)
    ) AS f
    WHERE f.captured_at <= %(end)s
    ORDER BY f.captured_at
    LIMIT 1
),
resets AS (
    SELECT e.at
    FROM monitoring_event AS e
    WHERE e.target_id = %(t)s
        AND e.kind IN ('restart', 'database_stats_reset')
        AND e.at <= %(end)s
),
samples AS (
    SELECT DISTINCT ON (a.captured_at) a.captured_at, a.i_seqs, a.i_scans
    FROM (
        SELECT * FROM first_sample
        UNION ALL
        SELECT d.captured_at, d.i_seqs, d.i_scans
        FROM monitoring_relation_day AS d
        WHERE d.target_id = %(t)s
            AND d.captured_at <= %(end)s
        UNION ALL
        SELECT h.captured_at, h.i_seqs, h.i_scans
        FROM monitoring_relation_hour AS h
        CROSS JOIN newest AS n
        WHERE h.target_id = %(t)s
            AND h.captured_at > coalesce(n.day_max, '-infinity')
            AND h.captured_at <= %(end)s
        UNION ALL
        SELECT r.captured_at, r.i_seqs, r.i_scans
        FROM monitoring_relation_raw AS r
        CROSS JOIN newest AS n
        WHERE r.target_id = %(t)s
            AND r.captured_at > coalesce(greatest(n.hour_max, n.day_max), '-infinity')
            AND r.captured_at <= %(end)s
        UNION ALL
        -- Around a restart or a statistics reset, the finer samples: a coarse step across it would
        -- miss the scans made before it.
        SELECT h.captured_at, h.i_seqs, h.i_scans
        FROM monitoring_relation_hour AS h
        WHERE h.target_id = %(t)s
            AND h.captured_at <= %(end)s
            AND EXISTS (SELECT 1 FROM resets AS x
                        WHERE h.captured_at BETWEEN x.at - interval '1 day' AND x.at + interval '1 day')
        UNION ALL
        SELECT r.captured_at, r.i_seqs, r.i_scans
        FROM monitoring_relation_raw AS r
        WHERE r.target_id = %(t)s
            AND r.captured_at <= %(end)s
            AND EXISTS (SELECT 1 FROM resets AS x
                        WHERE r.captured_at BETWEEN x.at - interval '1 hour' AND x.at + interval '1 hour')
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
    WHERE u.seq = ANY(%(seqs)s::int4[])
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
    max(g.captured_at) FILTER (WHERE g.grew) AS last_seen_scanning,
    max(g.previous_at) FILTER (WHERE g.grew) AS last_seen_after,
    min(g.captured_at) AS watched_since
FROM graded AS g
GROUP BY g.seq
