/* dbconsole: foreign keys of other tables that reference one table's column */
SELECT
    n.nspname AS schema,
    c.relname AS table_name,
    con.conname AS name,
    pg_catalog.pg_get_constraintdef(con.oid) AS definition
FROM pg_catalog.pg_constraint AS con
JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class AS rc ON rc.oid = con.confrelid
JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
JOIN pg_catalog.pg_attribute AS a ON a.attrelid = rc.oid AND a.attname = %(column)s
WHERE con.contype = 'f'
  AND rn.nspname = %(schema)s
  AND rc.relname = %(table)s
  AND con.confkey = ARRAY[a.attnum]
ORDER BY 1, 2, 3
