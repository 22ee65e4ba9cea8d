/* dbconsole */
-- Index definitions (whole, per key column, the partial-index predicate) of top-level indexes.
-- Deparsing an index (pg_get_indexdef, pg_get_expr) opens its table with an AccessShareLock, which
-- queues behind an ACCESS EXCLUSIVE lock anybody holds or waits for (a lock chain, DDL) until
-- lock_timeout fails the whole statement. Such an index is returned unread (readable = false, no
-- definition) instead, so one lock never blinds the collection of every other relation.
WITH locked AS (
    SELECT
        l.relation
    FROM pg_locks AS l
    WHERE l.locktype = 'relation'
        AND l.mode = 'AccessExclusiveLock'
        AND l.database = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
),
idx AS (
    SELECT
        i.indexrelid,
        i.indrelid,
        i.indnkeyatts,
        i.indpred,
        tn.nspname AS table_schema,
        tc.relname AS table_name,
        NOT EXISTS (
            SELECT 1 FROM locked AS k WHERE k.relation IN (i.indexrelid, i.indrelid)
        ) AS readable
    FROM pg_index AS i
    JOIN pg_class AS ic
        ON ic.oid = i.indexrelid
    JOIN pg_namespace AS n
        ON n.oid = ic.relnamespace
    JOIN pg_class AS tc
        ON tc.oid = i.indrelid
    JOIN pg_namespace AS tn
        ON tn.oid = tc.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
        AND coalesce(pg_partition_root(i.indexrelid)::oid, i.indexrelid) = i.indexrelid
)
SELECT
    x.indexrelid::int8 AS oid,
    x.table_schema,
    x.table_name,
    x.readable,
    CASE WHEN x.readable THEN pg_get_indexdef(x.indexrelid) END AS definition,
    CASE WHEN x.readable THEN
        ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) AS k)
    END AS key_columns,
    CASE WHEN x.readable THEN coalesce(pg_get_expr(x.indpred, x.indrelid, true), '') END AS predicate
FROM idx AS x
ORDER BY x.indexrelid
