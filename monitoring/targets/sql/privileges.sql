/* dbconsole */
-- Per application schema: whether the connected role may use it, and the tables and sequences it may
-- not read. EXPLAIN, pg_stats (the bloat estimate) and the advisor's plans need SELECT on the tables;
-- a sequence's last value needs SELECT (or USAGE) on the sequence.
SELECT
    n.nspname AS schema,
    has_schema_privilege(n.oid, 'USAGE') AS schema_usage,
    count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'm', 'f')) AS tables,
    coalesce(array_agg(c.relname ORDER BY c.relname) FILTER (
        WHERE c.relkind IN ('r', 'p', 'm', 'f')
            AND NOT has_table_privilege(c.oid, 'SELECT')
    ), '{}') AS unreadable_tables,
    coalesce(array_agg(DISTINCT pg_get_userbyid(c.relowner)) FILTER (
        WHERE c.relkind IN ('r', 'p', 'm', 'f')
            AND NOT has_table_privilege(c.oid, 'SELECT')
    ), '{}') AS table_owners,
    count(*) FILTER (WHERE c.relkind = 'S') AS sequences,
    coalesce(array_agg(c.relname ORDER BY c.relname) FILTER (
        WHERE c.relkind = 'S'
            AND NOT has_sequence_privilege(c.oid, 'SELECT, USAGE')
    ), '{}') AS unreadable_sequences,
    coalesce(array_agg(DISTINCT pg_get_userbyid(c.relowner)) FILTER (
        WHERE c.relkind = 'S'
            AND NOT has_sequence_privilege(c.oid, 'SELECT, USAGE')
    ), '{}') AS sequence_owners
FROM pg_catalog.pg_namespace AS n
JOIN pg_catalog.pg_class AS c
    ON c.relnamespace = n.oid
WHERE c.relkind IN ('r', 'p', 'm', 'f', 'S')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%'
    AND n.nspname NOT LIKE 'pg\_temp%'
GROUP BY n.oid, n.nspname
ORDER BY n.nspname
