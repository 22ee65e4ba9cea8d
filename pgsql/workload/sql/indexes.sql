/* dbconsole: indexes that already exist on the workload's tables */
SELECT
    i.indexrelid::bigint AS oid,
    i.indrelid::bigint AS relid,
    ic.relname AS name,
    am.amname AS method,
    i.indnkeyatts AS key_count,
    ARRAY(
        SELECT a.attname
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, ord)
        LEFT JOIN pg_catalog.pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        ORDER BY k.ord
    ) AS columns,
    i.indisunique AS is_unique,
    i.indisprimary AS is_primary,
    i.indisvalid AS is_valid,
    i.indpred IS NOT NULL AS is_partial,
    pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
    pg_catalog.pg_relation_size(i.indexrelid) AS size_bytes
FROM pg_catalog.pg_index AS i
JOIN pg_catalog.pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am AS am ON am.oid = ic.relam
WHERE i.indrelid = ANY(%(oids)s)
ORDER BY i.indrelid, ic.relname
