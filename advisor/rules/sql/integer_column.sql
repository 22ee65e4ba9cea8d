/* dbconsole: what a bigint migration of one column needs to know: type, NOT NULL, identity, the sequence
   behind its default, and whether it alone is the primary key */
SELECT
    pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
    a.attnotnull AS not_null,
    a.attidentity::text AS identity,
    sn.nspname AS sequence_schema,
    s.relname AS sequence_name,
    pk.conname AS primary_key
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_depend AS d
    ON d.refclassid = 'pg_catalog.pg_class'::regclass
    AND d.refobjid = a.attrelid
    AND d.refobjsubid = a.attnum
    AND d.classid = 'pg_catalog.pg_class'::regclass
    AND d.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class AS s ON s.oid = d.objid AND s.relkind = 'S'
LEFT JOIN pg_catalog.pg_namespace AS sn ON sn.oid = s.relnamespace
LEFT JOIN pg_catalog.pg_constraint AS pk
    ON pk.conrelid = a.attrelid
    AND pk.contype = 'p'
    AND pk.conkey = ARRAY[a.attnum]
WHERE n.nspname = %(schema)s
  AND c.relname = %(table)s
  AND a.attname = %(column)s
  AND NOT a.attisdropped
ORDER BY s.relname NULLS LAST
LIMIT 1
