/* dbconsole: reset-aware growth of every table's and index's cumulative counters over a window.
   Raw samples in the window, and hourly ones for the part older than the oldest raw sample. A counter
   lower than in the previous sample was reset and counts from zero: its growth is its value.
   Rows: kind ('t' or 'i'), seq, first and last sample, then the growths (tables: inserts, updates,
   deletes, HOT updates, autovacuums, vacuums, sequential and index scans; indexes: scans). */
WITH bounds AS (
    SELECT min(r.captured_at) AS raw_from
    FROM monitoring_relation_raw AS r
    WHERE r.target_id = %(t)s
      AND r.captured_at >= %(start)s
      AND r.captured_at <= %(end)s
),
samples AS (
    SELECT r.captured_at, r.t_seqs, r.t_n_tup_ins, r.t_n_tup_upd, r.t_n_tup_del, r.t_n_tup_hot_upd,
           r.t_autovacuum_count, r.t_vacuum_count, r.t_seq_scan, r.t_idx_scan, r.i_seqs, r.i_scans
    FROM monitoring_relation_raw AS r
    WHERE r.target_id = %(t)s
      AND r.captured_at >= %(start)s
      AND r.captured_at <= %(end)s
    UNION ALL
    SELECT h.captured_at, h.t_seqs, h.t_n_tup_ins, h.t_n_tup_upd, h.t_n_tup_del, h.t_n_tup_hot_upd,
           h.t_autovacuum_count, h.t_vacuum_count, h.t_seq_scan, h.t_idx_scan, h.i_seqs, h.i_scans
    FROM monitoring_relation_hour AS h, bounds AS b
    WHERE h.target_id = %(t)s
      AND h.captured_at >= %(start)s
      AND h.captured_at < coalesce(b.raw_from, %(end)s)
),
table_points AS (
    SELECT s.captured_at, u.*
    FROM samples AS s,
         unnest(s.t_seqs, s.t_n_tup_ins, s.t_n_tup_upd, s.t_n_tup_del, s.t_n_tup_hot_upd, s.t_autovacuum_count,
                s.t_vacuum_count, s.t_seq_scan, s.t_idx_scan)
             AS u (seq, ins, upd, del, hot, av, vac, sscan, iscan)
),
table_steps AS (
    SELECT seq, captured_at,
           ins, lag(ins) OVER w AS p_ins,
           upd, lag(upd) OVER w AS p_upd, del, lag(del) OVER w AS p_del, hot, lag(hot) OVER w AS p_hot,
           av, lag(av) OVER w AS p_av, vac, lag(vac) OVER w AS p_vac,
           sscan, lag(sscan) OVER w AS p_sscan, iscan, lag(iscan) OVER w AS p_iscan
    FROM table_points
    WINDOW w AS (PARTITION BY seq ORDER BY captured_at)
),
index_points AS (
    SELECT s.captured_at, u.seq, u.scans
    FROM samples AS s, unnest(s.i_seqs, s.i_scans) AS u (seq, scans)
),
index_steps AS (
    SELECT seq, captured_at, scans, lag(scans) OVER (PARTITION BY seq ORDER BY captured_at) AS p_scans
    FROM index_points
)
SELECT
    't' AS kind, seq, min(captured_at) AS since, max(captured_at) AS until,
    sum(CASE WHEN p_ins IS NULL THEN 0 WHEN ins >= p_ins THEN ins - p_ins ELSE ins END),
    sum(CASE WHEN p_upd IS NULL THEN 0 WHEN upd >= p_upd THEN upd - p_upd ELSE upd END),
    sum(CASE WHEN p_del IS NULL THEN 0 WHEN del >= p_del THEN del - p_del ELSE del END),
    sum(CASE WHEN p_hot IS NULL THEN 0 WHEN hot >= p_hot THEN hot - p_hot ELSE hot END),
    sum(CASE WHEN p_av IS NULL THEN 0 WHEN av >= p_av THEN av - p_av ELSE av END),
    sum(CASE WHEN p_vac IS NULL THEN 0 WHEN vac >= p_vac THEN vac - p_vac ELSE vac END),
    sum(CASE WHEN p_sscan IS NULL THEN 0 WHEN sscan >= p_sscan THEN sscan - p_sscan ELSE sscan END),
    sum(CASE WHEN p_iscan IS NULL THEN 0 WHEN iscan >= p_iscan THEN iscan - p_iscan ELSE iscan END)
FROM table_steps
GROUP BY seq
UNION ALL
SELECT
    'i', seq, min(captured_at), max(captured_at),
    sum(CASE WHEN p_scans IS NULL THEN 0 WHEN scans >= p_scans THEN scans - p_scans ELSE scans END),
    NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM index_steps
GROUP BY seq
