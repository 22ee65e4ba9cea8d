/* dbconsole: which of these names are taken by a relation in the schema (indexes share the namespace) */
SELECT c.relname AS name
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s
  AND c.relname = ANY(%(names)s)
