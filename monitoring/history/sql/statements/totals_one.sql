/* dbconsole */
-- One statement's totals over a range (the query detail page): the same four prefix rows and raw
-- tail as totals.sql, but each counter is read at the statement's position (array index = seq) instead
-- of unnesting every statement; in raw rows, at the seq's position in ``seqs``.
-- {one_totals} and {tail_sums}: filled in by the selector from the counter list.
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
tail AS (
    SELECT
        {tail_sums}
    FROM monitoring_stmt_raw AS r
    CROSS JOIN LATERAL (SELECT array_position(r.seqs, %(seq)s) AS i) AS at
    WHERE r.target_id = %(target)s
        AND r.captured_at > %(tail_after)s
        AND r.captured_at <= %(tail_until)s
        AND at.i IS NOT NULL
)
SELECT
    s.id AS statement_id,
    s.seq,
    s.queryid,
    s.datname,
    s.usename,
    s.toplevel,
    left(coalesce(q.text, ''), %(preview)s) AS preview,
    {one_totals},
    1 AS matching
FROM monitoring_statement AS s
LEFT JOIN monitoring_querytext AS q
    ON q.id = s.text_id
LEFT JOIN e_day AS ed
    ON true
LEFT JOIN e_hour AS eh
    ON true
LEFT JOIN s_day AS sd
    ON true
LEFT JOIN s_hour AS sh
    ON true
CROSS JOIN tail AS t
WHERE s.target_id = %(target)s
    AND s.seq = %(seq)s
