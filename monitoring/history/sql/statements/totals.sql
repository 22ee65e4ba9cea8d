/* dbconsole */
-- Totals of every statement over a range, from four prefix-sum rows (see rollups_statements):
--   end   = day row before the end's day + latest hour row of that day up to the end
--   start = day row before the start's day + latest hour row of that day before the start
-- subtracted element by element (array index = seq), plus the raw rows newer than the rollup's
-- watermark. Cost: a few 5,000-element arrays, whatever the length of the range. One row per
-- statement (no grouping by text: that is the page query's); %(hide_own)s drops dbconsole's own
-- statements, whose text matches %(own_pattern)s (see ``pgsql.own_statements``).
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
        unnest(ed.calls) AS ed_calls, unnest(eh.calls) AS eh_calls, unnest(sd.calls) AS sd_calls, unnest(sh.calls) AS sh_calls,
        unnest(ed.plans) AS ed_plans, unnest(eh.plans) AS eh_plans, unnest(sd.plans) AS sd_plans, unnest(sh.plans) AS sh_plans,
        unnest(ed.plan_us) AS ed_plan_us, unnest(eh.plan_us) AS eh_plan_us, unnest(sd.plan_us) AS sd_plan_us, unnest(sh.plan_us) AS sh_plan_us,
        unnest(ed.exec_us) AS ed_exec_us, unnest(eh.exec_us) AS eh_exec_us, unnest(sd.exec_us) AS sd_exec_us, unnest(sh.exec_us) AS sh_exec_us,
        unnest(ed.rows) AS ed_rows, unnest(eh.rows) AS eh_rows, unnest(sd.rows) AS sd_rows, unnest(sh.rows) AS sh_rows,
        unnest(ed.shared_blks_hit) AS ed_shared_blks_hit, unnest(eh.shared_blks_hit) AS eh_shared_blks_hit, unnest(sd.shared_blks_hit) AS sd_shared_blks_hit, unnest(sh.shared_blks_hit) AS sh_shared_blks_hit,
        unnest(ed.shared_blks_read) AS ed_shared_blks_read, unnest(eh.shared_blks_read) AS eh_shared_blks_read, unnest(sd.shared_blks_read) AS sd_shared_blks_read, unnest(sh.shared_blks_read) AS sh_shared_blks_read,
        unnest(ed.shared_blks_dirtied) AS ed_shared_blks_dirtied, unnest(eh.shared_blks_dirtied) AS eh_shared_blks_dirtied, unnest(sd.shared_blks_dirtied) AS sd_shared_blks_dirtied, unnest(sh.shared_blks_dirtied) AS sh_shared_blks_dirtied,
        unnest(ed.shared_blks_written) AS ed_shared_blks_written, unnest(eh.shared_blks_written) AS eh_shared_blks_written, unnest(sd.shared_blks_written) AS sd_shared_blks_written, unnest(sh.shared_blks_written) AS sh_shared_blks_written,
        unnest(ed.temp_blks_read) AS ed_temp_blks_read, unnest(eh.temp_blks_read) AS eh_temp_blks_read, unnest(sd.temp_blks_read) AS sd_temp_blks_read, unnest(sh.temp_blks_read) AS sh_temp_blks_read,
        unnest(ed.temp_blks_written) AS ed_temp_blks_written, unnest(eh.temp_blks_written) AS eh_temp_blks_written, unnest(sd.temp_blks_written) AS sd_temp_blks_written, unnest(sh.temp_blks_written) AS sh_temp_blks_written,
        unnest(ed.shared_read_us) AS ed_shared_read_us, unnest(eh.shared_read_us) AS eh_shared_read_us, unnest(sd.shared_read_us) AS sd_shared_read_us, unnest(sh.shared_read_us) AS sh_shared_read_us,
        unnest(ed.shared_write_us) AS ed_shared_write_us, unnest(eh.shared_write_us) AS eh_shared_write_us, unnest(sd.shared_write_us) AS sd_shared_write_us, unnest(sh.shared_write_us) AS sh_shared_write_us,
        unnest(ed.local_read_us) AS ed_local_read_us, unnest(eh.local_read_us) AS eh_local_read_us, unnest(sd.local_read_us) AS sd_local_read_us, unnest(sh.local_read_us) AS sh_local_read_us,
        unnest(ed.temp_read_us) AS ed_temp_read_us, unnest(eh.temp_read_us) AS eh_temp_read_us, unnest(sd.temp_read_us) AS sd_temp_read_us, unnest(sh.temp_read_us) AS sh_temp_read_us,
        unnest(ed.temp_write_us) AS ed_temp_write_us, unnest(eh.temp_write_us) AS eh_temp_write_us, unnest(sd.temp_write_us) AS sd_temp_write_us, unnest(sh.temp_write_us) AS sh_temp_write_us,
        unnest(ed.wal_bytes) AS ed_wal_bytes, unnest(eh.wal_bytes) AS eh_wal_bytes, unnest(sd.wal_bytes) AS sd_wal_bytes, unnest(sh.wal_bytes) AS sh_wal_bytes
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
prefix AS (
    SELECT
        p.seq,
        coalesce(p.ed_calls, 0) + coalesce(p.eh_calls, 0) - coalesce(p.sd_calls, 0) - coalesce(p.sh_calls, 0) AS calls,
        coalesce(p.ed_plans, 0) + coalesce(p.eh_plans, 0) - coalesce(p.sd_plans, 0) - coalesce(p.sh_plans, 0) AS plans,
        coalesce(p.ed_plan_us, 0) + coalesce(p.eh_plan_us, 0) - coalesce(p.sd_plan_us, 0) - coalesce(p.sh_plan_us, 0) AS plan_us,
        coalesce(p.ed_exec_us, 0) + coalesce(p.eh_exec_us, 0) - coalesce(p.sd_exec_us, 0) - coalesce(p.sh_exec_us, 0) AS exec_us,
        coalesce(p.ed_rows, 0) + coalesce(p.eh_rows, 0) - coalesce(p.sd_rows, 0) - coalesce(p.sh_rows, 0) AS rows,
        coalesce(p.ed_shared_blks_hit, 0) + coalesce(p.eh_shared_blks_hit, 0) - coalesce(p.sd_shared_blks_hit, 0) - coalesce(p.sh_shared_blks_hit, 0) AS shared_blks_hit,
        coalesce(p.ed_shared_blks_read, 0) + coalesce(p.eh_shared_blks_read, 0) - coalesce(p.sd_shared_blks_read, 0) - coalesce(p.sh_shared_blks_read, 0) AS shared_blks_read,
        coalesce(p.ed_shared_blks_dirtied, 0) + coalesce(p.eh_shared_blks_dirtied, 0) - coalesce(p.sd_shared_blks_dirtied, 0) - coalesce(p.sh_shared_blks_dirtied, 0) AS shared_blks_dirtied,
        coalesce(p.ed_shared_blks_written, 0) + coalesce(p.eh_shared_blks_written, 0) - coalesce(p.sd_shared_blks_written, 0) - coalesce(p.sh_shared_blks_written, 0) AS shared_blks_written,
        coalesce(p.ed_temp_blks_read, 0) + coalesce(p.eh_temp_blks_read, 0) - coalesce(p.sd_temp_blks_read, 0) - coalesce(p.sh_temp_blks_read, 0) AS temp_blks_read,
        coalesce(p.ed_temp_blks_written, 0) + coalesce(p.eh_temp_blks_written, 0) - coalesce(p.sd_temp_blks_written, 0) - coalesce(p.sh_temp_blks_written, 0) AS temp_blks_written,
        coalesce(p.ed_shared_read_us, 0) + coalesce(p.eh_shared_read_us, 0) - coalesce(p.sd_shared_read_us, 0) - coalesce(p.sh_shared_read_us, 0) AS shared_read_us,
        coalesce(p.ed_shared_write_us, 0) + coalesce(p.eh_shared_write_us, 0) - coalesce(p.sd_shared_write_us, 0) - coalesce(p.sh_shared_write_us, 0) AS shared_write_us,
        coalesce(p.ed_local_read_us, 0) + coalesce(p.eh_local_read_us, 0) - coalesce(p.sd_local_read_us, 0) - coalesce(p.sh_local_read_us, 0) AS local_read_us,
        coalesce(p.ed_temp_read_us, 0) + coalesce(p.eh_temp_read_us, 0) - coalesce(p.sd_temp_read_us, 0) - coalesce(p.sh_temp_read_us, 0) AS temp_read_us,
        coalesce(p.ed_temp_write_us, 0) + coalesce(p.eh_temp_write_us, 0) - coalesce(p.sd_temp_write_us, 0) - coalesce(p.sh_temp_write_us, 0) AS temp_write_us,
        coalesce(p.ed_wal_bytes, 0) + coalesce(p.eh_wal_bytes, 0) - coalesce(p.sd_wal_bytes, 0) - coalesce(p.sh_wal_bytes, 0) AS wal_bytes
    FROM point AS p
    WHERE p.seq IS NOT NULL
),
tail AS (
    SELECT
        u.seq,
        sum(u.calls)::int8 AS calls,
        sum(u.plans)::int8 AS plans,
        sum(u.plan_us)::int8 AS plan_us,
        sum(u.exec_us)::int8 AS exec_us,
        sum(u.rows)::int8 AS rows,
        sum(u.shared_blks_hit)::int8 AS shared_blks_hit,
        sum(u.shared_blks_read)::int8 AS shared_blks_read,
        sum(u.shared_blks_dirtied)::int8 AS shared_blks_dirtied,
        sum(u.shared_blks_written)::int8 AS shared_blks_written,
        sum(u.temp_blks_read)::int8 AS temp_blks_read,
        sum(u.temp_blks_written)::int8 AS temp_blks_written,
        sum(u.shared_read_us)::int8 AS shared_read_us,
        sum(u.shared_write_us)::int8 AS shared_write_us,
        sum(u.local_read_us)::int8 AS local_read_us,
        sum(u.temp_read_us)::int8 AS temp_read_us,
        sum(u.temp_write_us)::int8 AS temp_write_us,
        sum(u.wal_bytes)::int8 AS wal_bytes
    FROM monitoring_stmt_raw AS r
    CROSS JOIN LATERAL unnest(
        r.seqs,
        r.calls,
        r.plans,
        r.plan_us,
        r.exec_us,
        r.rows,
        r.shared_blks_hit,
        r.shared_blks_read,
        r.shared_blks_dirtied,
        r.shared_blks_written,
        r.temp_blks_read,
        r.temp_blks_written,
        r.shared_read_us,
        r.shared_write_us,
        r.local_read_us,
        r.temp_read_us,
        r.temp_write_us,
        r.wal_bytes
    ) AS u(seq, calls, plans, plan_us, exec_us, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, temp_blks_read, temp_blks_written, shared_read_us, shared_write_us, local_read_us, temp_read_us, temp_write_us, wal_bytes)
    WHERE r.target_id = %(target)s
        AND r.captured_at > %(tail_after)s
        AND r.captured_at <= %(tail_until)s
    GROUP BY u.seq
),
total AS (
    SELECT
        coalesce(p.seq, t.seq) AS seq,
        coalesce(p.calls, 0) + coalesce(t.calls, 0) AS calls,
        coalesce(p.plans, 0) + coalesce(t.plans, 0) AS plans,
        coalesce(p.plan_us, 0) + coalesce(t.plan_us, 0) AS plan_us,
        coalesce(p.exec_us, 0) + coalesce(t.exec_us, 0) AS exec_us,
        coalesce(p.rows, 0) + coalesce(t.rows, 0) AS rows,
        coalesce(p.shared_blks_hit, 0) + coalesce(t.shared_blks_hit, 0) AS shared_blks_hit,
        coalesce(p.shared_blks_read, 0) + coalesce(t.shared_blks_read, 0) AS shared_blks_read,
        coalesce(p.shared_blks_dirtied, 0) + coalesce(t.shared_blks_dirtied, 0) AS shared_blks_dirtied,
        coalesce(p.shared_blks_written, 0) + coalesce(t.shared_blks_written, 0) AS shared_blks_written,
        coalesce(p.temp_blks_read, 0) + coalesce(t.temp_blks_read, 0) AS temp_blks_read,
        coalesce(p.temp_blks_written, 0) + coalesce(t.temp_blks_written, 0) AS temp_blks_written,
        coalesce(p.shared_read_us, 0) + coalesce(t.shared_read_us, 0) AS shared_read_us,
        coalesce(p.shared_write_us, 0) + coalesce(t.shared_write_us, 0) AS shared_write_us,
        coalesce(p.local_read_us, 0) + coalesce(t.local_read_us, 0) AS local_read_us,
        coalesce(p.temp_read_us, 0) + coalesce(t.temp_read_us, 0) AS temp_read_us,
        coalesce(p.temp_write_us, 0) + coalesce(t.temp_write_us, 0) AS temp_write_us,
        coalesce(p.wal_bytes, 0) + coalesce(t.wal_bytes, 0) AS wal_bytes
    FROM prefix AS p
    FULL JOIN tail AS t
        ON t.seq = p.seq
)
SELECT
    s.id AS statement_id,
    s.seq,
    s.queryid,
    s.datname,
    s.usename,
    s.toplevel,
    left(coalesce(q.text, ''), %(preview)s) AS preview,
    x.calls,
    x.plans,
    x.plan_us,
    x.exec_us,
    x.rows,
    x.shared_blks_hit,
    x.shared_blks_read,
    x.shared_blks_dirtied,
    x.shared_blks_written,
    x.temp_blks_read,
    x.temp_blks_written,
    x.shared_read_us,
    x.shared_write_us,
    x.local_read_us,
    x.temp_read_us,
    x.temp_write_us,
    x.wal_bytes,
    count(*) OVER () AS matching
FROM total AS x
JOIN monitoring_statement AS s
    ON s.target_id = %(target)s
    AND s.seq = x.seq
LEFT JOIN monitoring_querytext AS q
    ON q.id = s.text_id
WHERE (x.calls > 0 OR x.plans > 0)
    AND (%(database)s::text IS NULL OR s.datname = %(database)s)
    AND (%(user)s::text IS NULL OR s.usename = %(user)s)
    AND (%(text)s::text IS NULL OR q.text ILIKE %(text)s)
    AND (NOT %(hide_own)s::boolean OR q.text IS NULL OR q.text !~ %(own_pattern)s)
ORDER BY {order} DESC NULLS LAST, s.seq
LIMIT %(limit)s
OFFSET %(offset)s
