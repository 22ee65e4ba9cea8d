/* dbconsole */
-- The last sample, over the whole history up to %(end)s, in which each of the given indexes had been
-- scanned since the sample before (what "last used" can say where last_idx_scan does not exist).
-- Daily rows, then the hourly rows newer than the newest daily one, then the raw rows newer than the
-- newest hourly one: a few hundred samples whatever the length of the history.
WITH newest AS (
    SELECT
        (SELECT max(d.captured_at) FROM monitoring_relation_day AS d
         WHERE d.target_id = %(t)s AND d.captured_at <= %(end)s) AS day_max,
        (SELECT max(h.captured_at) FROM monitoring_relation_hour AS h
         WHERE h.target_id = %(t)s AND h.captured_at <= %(end)s) AS hour_max
),
samples AS (
    SELECT
        d.captured_at,
        d.i_seqs,
        d.i_scans
    FROM monitoring_relation_day AS d
    WHERE d.target_id = %(t)s
        AND d.captured_at <= %(end)s
    UNION ALL
    SELECT
        h.captured_at,
        h.i_seqs,
        h.i_scans
    FROM monitoring_relation_hour AS h
    CROSS JOIN newest AS n
    WHERE h.target_id = %(t)s
        AND h.captured_at > coalesce(n.day_max, '-infinity')
        AND h.captured_at <= %(end)s
    UNION ALL
    SELECT
        r.captured_at,
        r.i_seqs,
        r.i_scans
    FROM monitoring_relation_raw AS r
    CROSS JOIN newest AS n
    WHERE r.target_id = %(t)s
        AND r.captured_at > coalesce(n.hour_max, n.day_max, '-infinity')
        AND r.captured_at <= %(end)s
),
steps AS (
    SELECT
        s.captured_at,
        u.seq,
        u.scans,
        lag(u.scans) OVER (PARTITION BY u.seq ORDER BY s.captured_at) AS previous
    FROM samples AS s
    CROSS JOIN LATERAL unnest(s.i_seqs, s.i_scans) AS u (seq, scans)
    WHERE u.seq = ANY(%(seqs)s::int4[])
)
SELECT
    st.seq,
    max(st.captured_at) FILTER (WHERE st.previous IS NOT NULL
                                  AND (st.scans > st.previous OR (st.scans < st.previous AND st.scans > 0)))
        AS last_seen_scanning,
    min(st.captured_at) AS watched_since
FROM steps AS st
GROUP BY st.seq
