/* dbconsole: CHECK and FOREIGN KEY constraints added NOT VALID and never validated */
SELECT
    n.nspname AS schema,
    c.relname AS table_name,
    con.conname AS name,
    con.contype::text AS contype,
    pg_catalog.pg_get_constraintdef(con.oid) AS definition
FROM pg_catalog.pg_constraint AS con
JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE NOT con.convalidated
  AND con.contype IN ('c', 'f')
  AND con.conparentid = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_'
ORDER BY n.nspname, c.relname, con.conname
