/* dbconsole */
-- One page of statement totals in two passes (``totals.sql`` does every statement in one pass):
--   1. rank: every statement's totals of only the counters the filter and the sort need (calls,
--      plans and the ORDER BY's), from the four prefix rows and the raw tail (see totals.sql), then
--      filter, count, sort and cut the page — narrow rows, no text;
--   2. the page's statements alone: every counter picked from the same four rows by seq
--      (``dbconsole_pick``), the raw tail of those statements, identity and text.
-- Unnesting 17 counters of 5,000 statements, then sorting and counting the wide rows with their texts,
-- was most of the one-pass query's time; a page needs the wide rows of 50 statements only.
-- {rank_point}, {rank_tail_*}, {rank_totals}, {order}, {picks}, {page_tail_*}, {page_totals}: filled in
-- by the selector from the counter lists (see ``_page_sql``).
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
rank_point AS (
    SELECT
        generate_series(1, greatest(ed.nseq, eh.nseq, sd.nseq, sh.nseq)) AS seq,
        {rank_point}
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
rank_tail AS (
    SELECT
        u.seq,
        {rank_tail_sums}
    FROM monitoring_stmt_raw AS r
    CROSS JOIN LATERAL unnest(r.seqs, {rank_tail_arrays}) AS u(seq, {rank_tail_names})
    WHERE r.target_id = %(target)s
        AND r.captured_at > %(tail_after)s
        AND r.captured_at <= %(tail_until)s
    GROUP BY u.seq
),
x AS (
    SELECT
        coalesce(p.seq, t.seq) AS seq,
        {rank_totals}
    FROM (SELECT * FROM rank_point WHERE seq IS NOT NULL) AS p
    FULL JOIN rank_tail AS t
        ON t.seq = p.seq
),
ranked AS (
    SELECT
        s.id,
        s.seq,
        s.queryid,
        s.datname,
        s.usename,
        s.toplevel,
        s.text_id,
        {order} AS sort_key,
        count(*) OVER () AS matching
    FROM x
    JOIN monitoring_statement AS s
        ON s.target_id = %(target)s
        AND s.seq = x.seq
    WHERE (x.calls > 0 OR x.plans > 0)
        AND (%(database)s::text IS NULL OR s.datname = %(database)s)
        AND (%(user)s::text IS NULL OR s.usename = %(user)s)
        AND (%(text)s::text IS NULL OR EXISTS (
            SELECT 1 FROM monitoring_querytext AS q WHERE q.id = s.text_id AND q.text ILIKE %(text)s))
    ORDER BY {order} DESC NULLS LAST, s.seq
    LIMIT %(limit)s
    OFFSET %(offset)s
),
page AS (
    SELECT array_agg(k.seq) AS seqs
    FROM ranked AS k
),
picked AS (
    SELECT
        unnest(g.seqs) AS seq,
        {picks}
    FROM page AS g
    LEFT JOIN e_day AS ed
        ON true
    LEFT JOIN e_hour AS eh
        ON true
    LEFT JOIN s_day AS sd
        ON true
    LEFT JOIN s_hour AS sh
        ON true
    WHERE g.seqs IS NOT NULL
),
page_tail AS (
    SELECT
        u.seq,
        {page_tail_sums}
    FROM monitoring_stmt_raw AS r
    CROSS JOIN LATERAL unnest(r.seqs, {page_tail_arrays}) AS u(seq, {page_tail_names})
    WHERE r.target_id = %(target)s
        AND r.captured_at > %(tail_after)s
        AND r.captured_at <= %(tail_until)s
        AND u.seq IN (SELECT k.seq FROM ranked AS k)
    GROUP BY u.seq
)
SELECT
    k.id AS statement_id,
    k.seq,
    k.queryid,
    k.datname,
    k.usename,
    k.toplevel,
    left(coalesce(q.text, ''), %(preview)s) AS preview,
    {page_totals},
    k.matching
FROM ranked AS k
JOIN picked AS p
    ON p.seq = k.seq
LEFT JOIN page_tail AS t
    ON t.seq = k.seq
LEFT JOIN monitoring_querytext AS q
    ON q.id = k.text_id
ORDER BY k.sort_key DESC NULLS LAST, k.seq
