/* dbconsole: storage parameters (reloptions) of the tables that have any */
SELECT
    n.nspname AS schema,
    c.relname AS table_name,
    c.reloptions AS options
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.reloptions IS NOT NULL
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
