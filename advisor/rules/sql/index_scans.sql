/* dbconsole: reset-aware scans of every index since a given time (the unused-index rule's lookback,
   which may reach past the window). Raw samples, and hourly ones for the part older than the oldest
   raw sample, from the last sample at or before the start: scans between that sample and the next
   may have happened after the start, so they count (never call an index unused on a guess).
   A counter lower than in the previous sample was reset: its growth is its value.
   Rows: seq, first and last sample, scans. */
WITH edge AS (
    SELECT coalesce(greatest(
        (SELECT max(r.captured_at) FROM monitoring_relation_raw AS r
         WHERE r.target_id = %(t)s AND r.captured_at <= %(start)s),
        (SELECT max(h.captured_at) FROM monitoring_relation_hour AS h
         WHERE h.target_id = %(t)s AND h.captured_at <= %(start)s)), %(start)s) AS from_at
),
bounds AS (
    SELECT min(r.captured_at) AS raw_from
    FROM monitoring_relation_raw AS r, edge AS e
    WHERE r.target_id = %(t)s
      AND r.captured_at >= e.from_at
      AND r.captured_at <= %(end)s
),
samples AS (
    SELECT r.captured_at, r.i_seqs, r.i_scans
    FROM monitoring_relation_raw AS r, edge AS e
    WHERE r.target_id = %(t)s
      AND r.captured_at >= e.from_at
      AND r.captured_at <= %(end)s
    UNION ALL
    SELECT h.captured_at, h.i_seqs, h.i_scans
    FROM monitoring_relation_hour AS h, bounds AS b, edge AS e
    WHERE h.target_id = %(t)s
      AND h.captured_at >= e.from_at
      AND h.captured_at < coalesce(b.raw_from, %(end)s)
),
points AS (
    SELECT s.captured_at, u.seq, u.scans
    FROM samples AS s, unnest(s.i_seqs, s.i_scans) AS u (seq, scans)
),
steps AS (
    SELECT seq, captured_at, scans, lag(scans) OVER (PARTITION BY seq ORDER BY captured_at) AS p_scans
    FROM points
)
SELECT
    seq,
    min(captured_at),
    max(captured_at),
    sum(CASE WHEN p_scans IS NULL THEN 0 WHEN scans >= p_scans THEN scans - p_scans ELSE scans END)
FROM steps
GROUP BY seq
