/* dbconsole */
-- The %(top)s statements of each target with the most execution + planning time since their first
-- collection, with their cumulative counters as of the statements rollup's watermark (``through``):
-- the target's latest day row (cumulative since the first collection, through the end of that day)
-- plus its latest hour row of the following day (cumulative within that day). Counters only ever grow,
-- so they are Prometheus counters. The text is represented by its digest only.
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
cumulative AS (
    SELECT
        h.target_id,
        h.through,
        u.seq::int4 AS seq,
        coalesce(u.h_calls, 0) + coalesce(u.d_calls, 0) AS calls,
        coalesce(u.h_exec, 0) + coalesce(u.d_exec, 0) + coalesce(u.h_plan, 0) + coalesce(u.d_plan, 0) AS time_us,
        coalesce(u.h_rows, 0) + coalesce(u.d_rows, 0) AS rows,
        row_number() OVER (
            PARTITION BY h.target_id
            ORDER BY coalesce(u.h_exec, 0) + coalesce(u.d_exec, 0) + coalesce(u.h_plan, 0) + coalesce(u.d_plan, 0) DESC,
                u.seq
        ) AS rank
    FROM h
    LEFT JOIN d
        ON d.target_id = h.target_id
    CROSS JOIN LATERAL unnest(h.calls, h.exec_us, h.plan_us, h.rows, d.calls, d.exec_us, d.plan_us, d.rows)
        WITH ORDINALITY AS u(h_calls, h_exec, h_plan, h_rows, d_calls, d_exec, d_plan, d_rows, seq)
)
SELECT
    c.target_id,
    c.through,
    c.seq,
    s.queryid,
    s.datname,
    s.usename,
    s.toplevel,
    coalesce(left(q.digest, 8), '') AS fingerprint,
    c.calls,
    c.time_us,
    c.rows
FROM cumulative AS c
JOIN monitoring_statement AS s
    ON s.target_id = c.target_id
    AND s.seq = c.seq
LEFT JOIN monitoring_querytext AS q
    ON q.id = s.text_id
WHERE c.rank <= %(top)s
    AND c.time_us > 0
ORDER BY c.target_id, c.rank
