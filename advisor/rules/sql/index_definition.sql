/* dbconsole: one index's definition and validity, by schema and name */
SELECT
    pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
    i.indisvalid AS valid,
    t.relname AS table_name
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = ic.relnamespace
JOIN pg_catalog.pg_class AS t ON t.oid = i.indrelid
WHERE n.nspname = %(schema)s
  AND ic.relname = %(name)s
