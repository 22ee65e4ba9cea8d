/* dbconsole */
-- Sequences, the column each one feeds (serial or identity) and how much of the range is used.
-- pg_sequence_last_value() briefly locks the sequence like nextval() does: it is skipped for a
-- sequence somebody holds (or waits for) a stronger lock on, so that DDL never waits for us.
WITH seq AS (
    SELECT
        c.oid,
        n.nspname AS schema,
        c.relname AS name,
        format_type(s.seqtypid, NULL) AS data_type,
        s.seqmin AS min_value,
        s.seqmax AS max_value,
        s.seqincrement AS increment_by,
        s.seqcycle AS cycle,
        has_sequence_privilege(c.oid, 'SELECT,USAGE') AS readable,
        EXISTS (
            SELECT 1
            FROM pg_locks AS l
            WHERE l.relation = c.oid
                AND l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
        ) AS busy
    FROM pg_sequence AS s
    JOIN pg_class AS c
        ON c.oid = s.seqrelid
    JOIN pg_namespace AS n
        ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
)
SELECT
    q.schema,
    q.name,
    q.data_type,
    q.min_value,
    q.max_value,
    q.increment_by,
    q.cycle,
    q.readable,
    q.busy,
    CASE WHEN q.readable AND NOT q.busy THEN pg_sequence_last_value(q.oid) END AS last_value,
    coalesce(col.table_name, '') AS table_name,
    coalesce(col.column_name, '') AS column_name,
    coalesce(col.column_type, '') AS column_type
FROM seq AS q
LEFT JOIN LATERAL (
    SELECT
        tn.nspname || '.' || tc.relname AS table_name,
        a.attname AS column_name,
        format_type(a.atttypid, NULL) AS column_type
    FROM pg_depend AS d
    JOIN pg_class AS tc
        ON tc.oid = d.refobjid
    JOIN pg_namespace AS tn
        ON tn.oid = tc.relnamespace
    JOIN pg_attribute AS a
        ON a.attrelid = d.refobjid
        AND a.attnum = d.refobjsubid
    WHERE d.classid = 'pg_class'::regclass
        AND d.objid = q.oid
        AND d.refclassid = 'pg_class'::regclass
        AND d.deptype IN ('a', 'i')
    LIMIT 1
) AS col
    ON true
ORDER BY q.schema, q.name
