/* dbconsole */
-- Rank target %(target)s's statements once its rollup moved, and keep the %(top)s with the most execution +
-- planning time since their first collection (monitoring_stmt_top, one row per target, replaced): their
-- cumulative counters as of the rollup's watermark (``through``) are the target's latest day row
-- (cumulative since the first collection, through the end of that day) plus its latest hour row of the
-- following day (cumulative within that day). Counters only ever grow, so they are Prometheus counters.
-- Ranking reads two arrays; the other counters are picked for the chosen statements only
-- (dbconsole_pick detoasts an array once). The text is only its digest's first 8 hex digits.
WITH h AS (
    SELECT y.target_id, y.hour, y.through, y.calls, y.exec_us, y.plan_us, y.rows
    FROM monitoring_stmt_hour AS y
    WHERE y.target_id = %(target)s
    ORDER BY y.hour DESC
    LIMIT 1
),
d AS (
    SELECT y.calls, y.exec_us, y.plan_us, y.rows
    FROM h
    JOIN monitoring_stmt_day AS y
        ON y.target_id = h.target_id
        AND y.day < date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    ORDER BY y.day DESC
    LIMIT 1
),
top AS (
    SELECT
        u.seq::int4 AS seq,
        coalesce(u.h_exec, 0) + coalesce(u.h_plan, 0) + coalesce(u.d_exec, 0) + coalesce(u.d_plan, 0) AS time_us
    FROM h
    LEFT JOIN d ON true
    CROSS JOIN LATERAL unnest(h.exec_us, h.plan_us, d.exec_us, d.plan_us)
        WITH ORDINALITY AS u(h_exec, h_plan, d_exec, d_plan, seq)
    ORDER BY 2 DESC, 1
    LIMIT %(top)s
),
ranked AS (
    SELECT
        array_agg(top.seq ORDER BY top.time_us DESC, top.seq) AS seqs,
        array_agg(top.time_us ORDER BY top.time_us DESC, top.seq) AS times
    FROM top
    WHERE top.time_us > 0
),
picked AS (
    SELECT
        r.seqs,
        r.times,
        dbconsole_pick(h.calls, r.seqs) AS h_calls,
        dbconsole_pick(d.calls, r.seqs) AS d_calls,
        dbconsole_pick(h.rows, r.seqs) AS h_rows,
        dbconsole_pick(d.rows, r.seqs) AS d_rows
    FROM ranked AS r
    CROSS JOIN h
    LEFT JOIN d ON true
    WHERE r.seqs IS NOT NULL
),
statements AS (
    SELECT
        u.rank,
        jsonb_build_object(
            'seq', u.seq,
            'queryid', s.queryid,
            'database', s.datname,
            'user', s.usename,
            'toplevel', s.toplevel,
            'fingerprint', coalesce(left(q.digest, 8), ''),
            'calls', coalesce(u.h_calls, 0) + coalesce(u.d_calls, 0),
            'time_us', u.time_us,
            'rows', coalesce(u.h_rows, 0) + coalesce(u.d_rows, 0)
        ) AS statement
    FROM picked AS p
    CROSS JOIN LATERAL unnest(p.seqs, p.times, p.h_calls, p.d_calls, p.h_rows, p.d_rows)
        WITH ORDINALITY AS u(seq, time_us, h_calls, d_calls, h_rows, d_rows, rank)
    JOIN monitoring_statement AS s
        ON s.target_id = %(target)s
        AND s.seq = u.seq
    LEFT JOIN monitoring_querytext AS q
        ON q.id = s.text_id
)
INSERT INTO monitoring_stmt_top (target_id, through, top, ranked, ranked_at)
SELECT
    h.target_id,
    h.through,
    %(top)s,
    coalesce((SELECT jsonb_agg(x.statement ORDER BY x.rank) FROM statements AS x), '[]'::jsonb),
    now()
FROM h
JOIN monitoring_target AS t    -- the statements' history outlives a removed target: nothing to rank for it
    ON t.id = h.target_id
ON CONFLICT (target_id) DO UPDATE
SET through = excluded.through, top = excluded.top, ranked = excluded.ranked, ranked_at = excluded.ranked_at
