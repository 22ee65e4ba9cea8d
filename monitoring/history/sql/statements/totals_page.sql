/* dbconsole */
-- One page of statement totals in two passes (``totals.sql`` does every statement in one pass):
--   1. rank: every statement's totals of only the counters the filter and the sort need (calls,
--      plans and the ORDER BY's), from the four prefix rows and the raw tail (see totals.sql), then
--      filter, group, count, sort and cut the page — narrow rows, no text;
--   2. the page's statements alone: every counter picked from the same four rows by seq
--      (``dbconsole_pick``), the raw tail of those statements, summed per group, identity and text.
-- Unnesting 17 counters of 5,000 statements, then sorting and counting the wide rows with their texts,
-- was most of the one-pass query's time; a page needs the wide rows of 50 statements only.
-- Groups: statements of one database with the same normalized text (one text, several entries: other
-- parameter types or relations behind it — another queryid —, another role, top level and inside a
-- function) are one row, keyed by (dbid, text id); %(split)s makes every statement its own row
-- (``gkey``). A group shows its oldest statement (the lowest seq) with its users and every seq it
-- sums; those members are found for the page's rows only, by joining back on the key (``members``),
-- not carried as arrays through the grouping of every statement.
-- %(hide_own)s drops dbconsole's own statements: their text matches %(own_pattern)s (the marker rule,
-- see ``pgsql.own_statements``): the texts that contain the marker at all come from a partial
-- index (``querytext_marked``, its predicate is the LIKE below), the rule is tested on those only, and
-- the statements with one of them are left out in a hashed anti-join.
-- {rank_point}, {rank_tail_*}, {rank_totals}, {rank_columns}, {rank_group_sums}, {order}, {picks},
-- {page_tail_*}, {page_totals}, {page_group_sums}, {page_sums}: filled in by the selector from the
-- counter lists (see ``statement_sql.page_sql``).
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
per_statement AS (
    SELECT
        coalesce(p.seq, t.seq) AS seq,
        {rank_totals}
    FROM (SELECT * FROM rank_point WHERE seq IS NOT NULL) AS p
    FULL JOIN rank_tail AS t
        ON t.seq = p.seq
),
own_texts AS MATERIALIZED (
    SELECT
        q.id
    FROM monitoring_querytext AS q
    WHERE %(hide_own)s::boolean
        AND q.text LIKE '%%/* dbconsole */%%'
        AND q.text ~ %(own_pattern)s
),
ran AS (
    SELECT
        s.seq,
        s.dbid,
        s.text_id,
        CASE WHEN %(split)s::boolean OR s.text_id IS NULL THEN -s.seq ELSE s.text_id END AS gkey,
        {rank_columns}
    FROM per_statement AS e
    JOIN monitoring_statement AS s
        ON s.target_id = %(target)s
        AND s.seq = e.seq
    WHERE (e.calls > 0 OR e.plans > 0)
        AND (%(database)s::text IS NULL OR s.datname = %(database)s)
        AND (%(user)s::text IS NULL OR s.usename = %(user)s)
        AND (%(text)s::text IS NULL OR EXISTS (
            SELECT 1 FROM monitoring_querytext AS q WHERE q.id = s.text_id AND q.text ILIKE %(text)s))
        AND NOT EXISTS (SELECT 1 FROM own_texts AS o WHERE o.id = s.text_id)
),
x AS (
    SELECT
        min(r.seq) AS seq,
        r.dbid,
        r.gkey,
        min(r.text_id) AS text_id,
        {rank_group_sums}
    FROM ran AS r
    GROUP BY r.dbid, r.gkey
),
ranked AS (
    SELECT
        x.seq,
        x.dbid,
        x.gkey,
        x.text_id,
        {order} AS sort_key,
        count(*) OVER () AS matching
    FROM x
    ORDER BY {order} DESC NULLS LAST, x.seq
    LIMIT %(limit)s
    OFFSET %(offset)s
),
members AS (
    SELECT
        k.seq AS row_seq,
        r.seq
    FROM ranked AS k
    JOIN ran AS r
        ON r.dbid = k.dbid
        AND r.gkey = k.gkey
),
page AS (
    SELECT array_agg(m.seq) AS seqs
    FROM members AS m
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
        AND u.seq IN (SELECT unnest(g.seqs) FROM page AS g)
    GROUP BY u.seq
),
page_each AS (
    SELECT
        p.seq,
        {page_totals}
    FROM picked AS p
    LEFT JOIN page_tail AS t
        ON t.seq = p.seq
),
group_totals AS (
    SELECT
        pm.row_seq,
        {page_group_sums}
    FROM page_each AS e
    JOIN members AS pm
        ON pm.seq = e.seq
    GROUP BY pm.row_seq
),
group_owners AS (
    SELECT
        pm.row_seq,
        array_agg(m.seq ORDER BY m.seq) AS seqs,
        coalesce(string_agg(DISTINCT nullif(m.usename, ''), ', '), '') AS usename,
        bool_or(m.toplevel) AS toplevel
    FROM members AS pm
    JOIN monitoring_statement AS m
        ON m.target_id = %(target)s
        AND m.seq = pm.seq
    GROUP BY pm.row_seq
)
SELECT
    s.id AS statement_id,
    k.seq,
    s.queryid,
    s.datname,
    o.usename,
    o.toplevel,
    left(coalesce(q.text, ''), %(preview)s) AS preview,
    {page_sums},
    k.matching,
    o.seqs
FROM ranked AS k
JOIN monitoring_statement AS s
    ON s.target_id = %(target)s
    AND s.seq = k.seq
JOIN group_owners AS o
    ON o.row_seq = k.seq
JOIN group_totals AS g
    ON g.row_seq = k.seq
LEFT JOIN monitoring_querytext AS q
    ON q.id = k.text_id
ORDER BY k.sort_key DESC NULLS LAST, k.seq
