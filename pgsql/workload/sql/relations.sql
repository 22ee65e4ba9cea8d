/* dbconsole: relations named by the workload, with their place in the search path */
SELECT
    c.oid::bigint AS oid,
    n.nspname AS schema,
    c.relname AS name,
    c.relkind::text AS kind,
    greatest(c.reltuples, 0)::float8 AS reltuples,
    c.relpages::bigint AS relpages,
    array_position(current_schemas(true), n.nspname::text) AS search_rank
FROM pg_catalog.pg_class AS c
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relname = ANY(%(names)s)
  AND c.relkind IN ('r', 'p', 'm', 'v', 'f')
