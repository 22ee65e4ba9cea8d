/* dbconsole */
-- The %(top)s statements of each target with the most execution + planning time since their first
-- collection, with their cumulative counters as of the statements rollup's watermark (``through``):
-- the target's latest day row (cumulative since the first collection, through the end of that day)
-- plus its latest hour row of the following day (cumulative within that day). Counters only ever grow,
-- so they are Prometheus counters. Ranking reads two arrays per row; the other counters are picked for
-- the chosen statements only (dbconsole_pick detoasts an array once). The text is only its digest.
WITH h AS (
    SELECT t.id AS target_id, x.hour, x.through, x.calls, x.exec_us, x.plan_us, x.rows
    FROM unnest(%(targets)s::int4[]) AS t(id)
    CROSS JOIN LATERAL (
        SELECT y.hour, y.through, y.calls, y.exec_us, y.plan_us, y.rows
        FROM monitoring_stmt_hour AS y
        WHERE y.target_id = t.id
        ORDER BY y.hour DESC
        LIMIT 1
    ) AS x
),
d AS (
    SELECT h.target_id, x.calls, x.exec_us, x.plan_us, x.rows
    FROM h
    CROSS JOIN LATERAL (
        SELECT y.calls, y.exec_us, y.plan_us, y.rows
        FROM monitoring_stmt_day AS y
        WHERE y.target_id = h.target_id
            AND y.day < date_trunc('day', h.hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        ORDER BY y.day DESC
        LIMIT 1
    ) AS x
),
ranked AS (
    SELECT
        h.target_id,
        array_agg(top.seq ORDER BY top.time_us DESC, top.seq) AS seqs,
        array_agg(top.time_us ORDER BY top.time_us DESC, top.seq) AS times
    FROM h
    LEFT JOIN d
        ON d.target_id = h.target_id
    CROSS JOIN LATERAL (
        SELECT
            u.seq::int4 AS seq,
            coalesce(u.h_exec, 0) + coalesce(u.h_plan, 0) + coalesce(u.d_exec, 0) + coalesce(u.d_plan, 0) AS time_us
        FROM unnest(h.exec_us, h.plan_us, d.exec_us, d.plan_us) WITH ORDINALITY AS u(h_exec, h_plan, d_exec, d_plan, seq)
        ORDER BY 2 DESC, 1
        LIMIT %(top)s
    ) AS top
    WHERE top.time_us > 0
    GROUP BY h.target_id
),
picked AS (
    SELECT
        r.target_id,
        h.through,
        r.seqs,
        r.times,
        dbconsole_pick(h.calls, r.seqs) AS h_calls,
        dbconsole_pick(d.calls, r.seqs) AS d_calls,
        dbconsole_pick(h.rows, r.seqs) AS h_rows,
        dbconsole_pick(d.rows, r.seqs) AS d_rows
    FROM ranked AS r
    JOIN h
        ON h.target_id = r.target_id
    LEFT JOIN d
        ON d.target_id = r.target_id
)
SELECT
    p.target_id,
    p.through,
    u.seq,
    s.queryid,
    s.datname,
    s.usename,
    s.toplevel,
    coalesce(left(q.digest, 8), '') AS fingerprint,
    u.h_calls + u.d_calls AS calls,
    u.time_us,
    u.h_rows + u.d_rows AS rows
FROM picked AS p
CROSS JOIN LATERAL unnest(p.seqs, p.times, p.h_calls, p.d_calls, p.h_rows, p.d_rows)
    WITH ORDINALITY AS u(seq, time_us, h_calls, d_calls, h_rows, d_rows, rank)
JOIN monitoring_statement AS s
    ON s.target_id = p.target_id
    AND s.seq = u.seq
LEFT JOIN monitoring_querytext AS q
    ON q.id = s.text_id
ORDER BY p.target_id, u.rank
