/* dbconsole: the declared type of a sequence */
SELECT pg_catalog.format_type(s.seqtypid, NULL) AS data_type
FROM pg_catalog.pg_sequence AS s
JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s
  AND c.relname = %(name)s
