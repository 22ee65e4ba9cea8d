/* dbconsole */
-- One relations sample of a target, unnested to a row per table with what the maintenance page shows.
-- The newest sample at or before %(at)s, from whichever of the raw, hourly and daily tables still holds
-- one (raw samples expire first, then hourly ones); with %(fallback)s, when none is that old, the oldest
-- raw sample up to %(until)s instead (a range that starts before the history does).
WITH candidates AS (
    (
        SELECT 0 AS late, r.*
        FROM monitoring_relation_raw AS r
        WHERE r.target_id = %(t)s
            AND r.captured_at <= %(at)s
        ORDER BY r.captured_at DESC
        LIMIT 1
    )
    UNION ALL
    (
        SELECT 0 AS late, r.*
        FROM monitoring_relation_hour AS r
        WHERE r.target_id = %(t)s
            AND r.captured_at <= %(at)s
        ORDER BY r.captured_at DESC
        LIMIT 1
    )
    UNION ALL
    (
        SELECT 0 AS late, r.*
        FROM monitoring_relation_day AS r
        WHERE r.target_id = %(t)s
            AND r.captured_at <= %(at)s
        ORDER BY r.captured_at DESC
        LIMIT 1
    )
    UNION ALL
    (
        SELECT 1 AS late, r.*
        FROM monitoring_relation_raw AS r
        WHERE r.target_id = %(t)s
            AND %(fallback)s
            AND r.captured_at > %(at)s
            AND r.captured_at <= %(until)s
        ORDER BY r.captured_at
        LIMIT 1
    )
),
pick AS (
    SELECT c.*
    FROM candidates AS c
    ORDER BY c.late, CASE WHEN c.late = 0 THEN c.captured_at END DESC, c.captured_at
    LIMIT 1
)
SELECT
    p.captured_at,
    u.*
FROM pick AS p
CROSS JOIN LATERAL unnest(
    p.t_seqs, p.t_heap_bytes, p.t_toast_bytes, p.t_index_bytes, p.t_n_live_tup, p.t_n_dead_tup,
    p.t_n_mod_since_analyze, p.t_vacuum_count, p.t_autovacuum_count, p.t_analyze_count,
    p.t_autoanalyze_count, p.t_xid_age, p.t_mxid_age, p.t_last_vacuum, p.t_last_autovacuum,
    p.t_last_analyze, p.t_last_autoanalyze
) AS u(
    seq, heap_bytes, toast_bytes, index_bytes, n_live_tup, n_dead_tup,
    n_mod_since_analyze, vacuum_count, autovacuum_count, analyze_count,
    autoanalyze_count, xid_age, mxid_age, last_vacuum, last_autovacuum,
    last_analyze, last_autoanalyze
)
