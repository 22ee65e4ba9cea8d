/* dbconsole */
-- Calls and execution time of every statement over one whole hour, from the prefix-sum rows (see
-- rollups_statements and totals.sql): cumulative through the end of the hour minus cumulative through
-- the end of the hour before. Reads two counters of at most four rows, whatever the number of
-- statements; hour rows are kept far longer than raw rows, so a baseline a week back is still there.
WITH e_day AS (
    SELECT d.* FROM monitoring_stmt_day AS d
    WHERE d.target_id = %(target)s AND d.day < %(end_day)s
    ORDER BY d.day DESC LIMIT 1
),
e_hour AS (
    SELECT h.* FROM monitoring_stmt_hour AS h
    WHERE h.target_id = %(target)s AND h.hour >= %(end_day)s AND h.hour <= %(end_hour)s
    ORDER BY h.hour DESC LIMIT 1
),
s_day AS (
    SELECT d.* FROM monitoring_stmt_day AS d
    WHERE d.target_id = %(target)s AND d.day < %(start_day)s
    ORDER BY d.day DESC LIMIT 1
),
s_hour AS (
    SELECT h.* FROM monitoring_stmt_hour AS h
    WHERE h.target_id = %(target)s AND h.hour >= %(start_day)s AND h.hour <= %(start_hour)s
    ORDER BY h.hour DESC LIMIT 1
),
point AS (
    SELECT
        generate_series(1, greatest(ed.nseq, eh.nseq, sd.nseq, sh.nseq)) AS seq,
        unnest(ed.calls) AS ed_calls, unnest(eh.calls) AS eh_calls,
        unnest(sd.calls) AS sd_calls, unnest(sh.calls) AS sh_calls,
        unnest(ed.exec_us) AS ed_exec_us, unnest(eh.exec_us) AS eh_exec_us,
        unnest(sd.exec_us) AS sd_exec_us, unnest(sh.exec_us) AS sh_exec_us
    FROM (SELECT 1) AS one
    LEFT JOIN e_day AS ed
        ON true
    LEFT JOIN e_hour AS eh
        ON true
    LEFT JOIN s_day AS sd
        ON true
    LEFT JOIN s_hour AS sh
        ON true
),
hour AS (
    SELECT
        p.seq,
        coalesce(p.ed_calls, 0) + coalesce(p.eh_calls, 0) - coalesce(p.sd_calls, 0) - coalesce(p.sh_calls, 0) AS calls,
        coalesce(p.ed_exec_us, 0) + coalesce(p.eh_exec_us, 0) - coalesce(p.sd_exec_us, 0) - coalesce(p.sh_exec_us, 0) AS exec_us
    FROM point AS p
    WHERE p.seq IS NOT NULL
)
SELECT
    h.seq,
    h.calls,
    h.exec_us
FROM hour AS h
WHERE h.calls >= %(min_calls)s
