/* dbconsole */
-- Indexes, partition indexes folded into their partitioned index. No relation is opened and no lock is
-- taken: sizes come from pg_class.relpages, flags from pg_index. Definitions are read apart
-- (relations/definitions): deparsing an index locks its table.
WITH leaf AS (
    SELECT
        coalesce(pg_partition_root(i.indexrelid)::oid, i.indexrelid)::int8 AS root,
        i.indexrelid,
        ic.relpages
    FROM pg_index AS i
    JOIN pg_class AS ic
        ON ic.oid = i.indexrelid
    JOIN pg_namespace AS n
        ON n.oid = ic.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
),
agg AS (
    SELECT
        l.root,
        sum(l.relpages)::int8 * current_setting('block_size')::int8 AS bytes,
        coalesce(sum(s.idx_scan), 0)::int8 AS scans,
        coalesce(sum(s.idx_tup_read), 0)::int8 AS tup_read,
        coalesce(sum(s.idx_tup_fetch), 0)::int8 AS tup_fetch,
        NULL::timestamptz AS last_scan
    FROM leaf AS l
    LEFT JOIN pg_stat_all_indexes AS s
        ON s.indexrelid = l.indexrelid
    GROUP BY l.root
)
SELECT
    a.root AS oid,
    n.nspname AS schema,
    ic.relname AS name,
    ic.relkind AS kind,
    coalesce(pg_partition_root(i.indrelid)::oid, i.indrelid)::int8 AS table_oid,
    i.indisunique AS is_unique,
    i.indisprimary AS is_primary,
    i.indisvalid AND i.indisready AS is_valid,
    coalesce(
        (SELECT c.contype::text FROM pg_constraint AS c WHERE c.conindid = a.root AND c.contype IN ('p', 'u', 'x') LIMIT 1),
        ''
    ) AS constraint_type,
    am.amname AS method,
    a.bytes,
    a.scans,
    a.tup_read,
    a.tup_fetch,
    a.last_scan
FROM agg AS a
JOIN pg_index AS i
    ON i.indexrelid = a.root
JOIN pg_class AS ic
    ON ic.oid = a.root
JOIN pg_namespace AS n
    ON n.oid = ic.relnamespace
JOIN pg_am AS am
    ON am.oid = ic.relam
ORDER BY a.root
