/* dbconsole: the column a sequence feeds, through its dependency (serial: auto, identity: internal) */
SELECT
    tn.nspname AS schema,
    t.relname AS table_name,
    a.attname AS column_name
FROM pg_catalog.pg_class AS s
JOIN pg_catalog.pg_namespace AS sn ON sn.oid = s.relnamespace
JOIN pg_catalog.pg_depend AS d
    ON d.classid = 'pg_catalog.pg_class'::regclass
    AND d.objid = s.oid
    AND d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i')
JOIN pg_catalog.pg_class AS t ON t.oid = d.refobjid
JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE s.relkind = 'S'
  AND sn.nspname = %(schema)s
  AND s.relname = %(name)s
LIMIT 1
