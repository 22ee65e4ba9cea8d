/* dbconsole: definitions of the indexes on a column other than the primary key (rebuilt by a bigint migration) */
SELECT pg_catalog.pg_get_indexdef(i.indexrelid) AS definition
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_class AS c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = c.oid AND a.attname = %(column)s
WHERE n.nspname = %(schema)s
  AND c.relname = %(table)s
  AND NOT i.indisprimary
  AND a.attnum = ANY(i.indkey::int2[])
ORDER BY 1
