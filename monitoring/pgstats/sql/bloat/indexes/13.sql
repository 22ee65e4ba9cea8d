/* dbconsole */
-- Estimated btree bloat: index tuple = MAXALIGN(8-byte header (+4 for a null bitmap) + key widths from
-- the table's pg_stats); leaf pages needed = reltuples / floor((block_size - 24 - 16) * fillfactor /
-- (tuple + 4)); plus one level of internal pages and the metapage. NULL for expression keys and when
-- the table's statistics are not visible.
WITH keys AS (
    SELECT
        i.indexrelid AS oid,
        count(*) AS nkeys,
        count(st.attname) AS with_stats,
        bool_or(k.attnum = 0) AS has_expression,
        sum((1 - coalesce(st.null_frac, 0)) * coalesce(st.avg_width, 0)) AS data_width,
        max(coalesce(st.null_frac, 0)) AS max_null_frac
    FROM pg_index AS i
    JOIN pg_class AS ic
        ON ic.oid = i.indexrelid
    JOIN pg_am AS am
        ON am.oid = ic.relam
        AND am.amname = 'btree'
    JOIN pg_class AS tc
        ON tc.oid = i.indrelid
    JOIN pg_namespace AS n
        ON n.oid = tc.relnamespace
    CROSS JOIN LATERAL unnest(i.indkey::int2[]) AS k(attnum)
    LEFT JOIN pg_attribute AS a
        ON a.attrelid = i.indrelid
        AND a.attnum = k.attnum
    LEFT JOIN pg_stats AS st
        ON st.schemaname = n.nspname
        AND st.tablename = tc.relname
        AND st.attname = a.attname
        AND NOT st.inherited
    WHERE ic.relkind = 'i'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
    GROUP BY i.indexrelid
),
shape AS (
    SELECT
        ic.oid,
        n.nspname AS schema,
        ic.relname AS relname,
        coalesce(pg_partition_root(ic.oid)::oid, ic.oid)::int8 AS root_oid,
        ic.relpages::int8 AS relpages,
        greatest(ic.reltuples, 0) AS reltuples,
        current_setting('block_size')::int8 AS bs,
        coalesce((
            SELECT o.option_value::int FROM pg_options_to_table(ic.reloptions) AS o WHERE o.option_name = 'fillfactor'
        ), 90) AS fillfactor,
        k.with_stats = k.nkeys AND NOT k.has_expression AS complete,
        ceil((CASE WHEN k.max_null_frac > 0 THEN 16 ELSE 8 END + k.data_width) / 8.0) * 8 AS tuple_bytes
    FROM pg_class AS ic
    JOIN pg_namespace AS n
        ON n.oid = ic.relnamespace
    JOIN keys AS k
        ON k.oid = ic.oid
),
leaf AS (
    SELECT
        s.*,
        ceil(s.reltuples / greatest(1, floor((s.bs - 40) * s.fillfactor / 100.0 / (s.tuple_bytes + 4)))) AS leaf_pages,
        greatest(1, floor((s.bs - 40) / (s.tuple_bytes + 4 + 8))) AS fanout
    FROM shape AS s
)
SELECT
    l.oid::int8 AS oid,
    l.root_oid,
    'index' AS kind,
    l.relpages * l.bs AS size_bytes,
    CASE WHEN l.complete AND l.reltuples > 0 THEN
        greatest(l.relpages - l.leaf_pages - ceil(l.leaf_pages / l.fanout) - 1, 0)::int8 * l.bs
    END AS est_bloat_bytes,
    l.complete AS has_stats,
    l.schema,
    l.relname
FROM leaf AS l
ORDER BY l.oid
