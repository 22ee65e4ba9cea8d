/* dbconsole: is HypoPG created in this database, in which schema, which version */
SELECT
    n.nspname AS schema,
    e.extversion AS version
FROM pg_catalog.pg_extension AS e
JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.extname = 'hypopg'
