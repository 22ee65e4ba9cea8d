/* dbconsole: foreign keys, their referencing columns in constraint order, and whether a valid,
   non-partial btree or hash index leads with exactly those columns (in any order) */
SELECT
    n.nspname AS schema,
    c.relname AS table_name,
    con.conname AS name,
    ARRAY(
        SELECT a.attname
        FROM unnest(con.conkey) WITH ORDINALITY AS k (attnum, ord)
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
        ORDER BY k.ord
    ) AS columns,
    rn.nspname AS ref_schema,
    rc.relname AS ref_table,
    con.convalidated AS validated,
    con.confdeltype::text AS on_delete,
    pg_catalog.pg_get_constraintdef(con.oid) AS definition,
    EXISTS (
        SELECT 1
        FROM pg_catalog.pg_index AS i
        JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
        JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam
        WHERE i.indrelid = con.conrelid
          AND i.indisvalid
          AND i.indpred IS NULL
          AND (am.amname = 'btree' OR (am.amname = 'hash' AND cardinality(con.conkey) = 1))
          AND i.indnkeyatts >= cardinality(con.conkey)
          AND ARRAY(
              SELECT u.attnum
              FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u (attnum, ord)
              WHERE u.ord <= cardinality(con.conkey)
              ORDER BY u.attnum
          ) = ARRAY(SELECT k FROM unnest(con.conkey) AS k ORDER BY k)
    ) AS indexed
FROM pg_catalog.pg_constraint AS con
JOIN pg_catalog.pg_class AS c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class AS rc ON rc.oid = con.confrelid
JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
WHERE con.contype = 'f'
  AND con.conparentid = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_'
ORDER BY n.nspname, c.relname, con.conname
