/* dbconsole */
-- Estimated heap bloat from pg_class and pg_stats, the widely used approach:
--   tuple  = MAXALIGN(MAXALIGN(23-byte header + null bitmap) + sum of avg_width * (1 - null_frac))
--   pages needed = reltuples / floor((block_size - 24) * fillfactor / (tuple + 4-byte line pointer))
--   bloat = relpages - pages needed.
-- Limits: averages ignore per-column alignment padding and TOASTed values; it needs fresh statistics
-- (ANALYZE) and SELECT on the table (pg_stats hides other tables' columns), else it is NULL.
WITH cols AS (
    SELECT
        a.attrelid AS oid,
        count(*) AS natts,
        count(st.attname) AS with_stats,
        sum((1 - coalesce(st.null_frac, 0)) * coalesce(st.avg_width, 0)) AS data_width,
        max(coalesce(st.null_frac, 0)) AS max_null_frac
    FROM pg_attribute AS a
    JOIN pg_class AS c
        ON c.oid = a.attrelid
    JOIN pg_namespace AS n
        ON n.oid = c.relnamespace
    LEFT JOIN pg_stats AS st
        ON st.schemaname = n.nspname
        AND st.tablename = c.relname
        AND st.attname = a.attname
        AND NOT st.inherited
    WHERE c.relkind IN ('r', 'm')
        AND a.attnum > 0
        AND NOT a.attisdropped
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
    GROUP BY a.attrelid
),
shape AS (
    SELECT
        c.oid,
        n.nspname AS schema,
        c.relname AS relname,
        coalesce(pg_partition_root(c.oid)::oid, c.oid)::int8 AS root_oid,
        c.relpages::int8 AS relpages,
        greatest(c.reltuples, 0) AS reltuples,
        current_setting('block_size')::int8 AS bs,
        coalesce((
            SELECT o.option_value::int FROM pg_options_to_table(c.reloptions) AS o WHERE o.option_name = 'fillfactor'
        ), 100) AS fillfactor,
        k.with_stats = k.natts AS complete,
        ceil((
            ceil((23 + CASE WHEN k.max_null_frac > 0 THEN (k.natts + 7) / 8 ELSE 0 END) / 8.0) * 8 + k.data_width
        ) / 8.0) * 8 AS tuple_bytes
    FROM pg_class AS c
    JOIN pg_namespace AS n
        ON n.oid = c.relnamespace
    JOIN cols AS k
        ON k.oid = c.oid
)
SELECT
    s.oid::int8 AS oid,
    s.root_oid,
    'table' AS kind,
    s.relpages * s.bs AS size_bytes,
    CASE WHEN s.complete AND s.reltuples > 0 THEN
        greatest(s.relpages - ceil(s.reltuples / greatest(1, floor(
            (s.bs - 24) * s.fillfactor / 100.0 / (s.tuple_bytes + 4)
        ))), 0)::int8 * s.bs
    END AS est_bloat_bytes,
    s.complete AS has_stats,
    s.schema,
    s.relname
FROM shape AS s
ORDER BY s.oid
