/* dbconsole: columns of the workload's relations, their types and planner statistics */
SELECT
    a.attrelid::bigint AS relid,
    a.attname AS name,
    a.attnum AS num,
    CASE
        WHEN t.typcategory = 'A' THEN quote_ident(en.nspname) || '.' || quote_ident(et.typname) || '[]'
        ELSE quote_ident(tn.nspname) || '.' || quote_ident(t.typname)
    END AS cast_type,
    format_type(a.atttypid, a.atttypmod) AS display_type,
    t.typcategory::text AS category,
    a.attnotnull AS not_null,
    s.n_distinct::float8 AS n_distinct,
    s.avg_width AS avg_width,
    s.null_frac::float8 AS null_frac,
    s.correlation::float8 AS correlation,
    t.typlen::int AS typlen,
    t.typalign::text AS typalign,
    -- Can a btree on it deduplicate (PG 13+)? Its default operator class must have an equalimage
    -- support function that says yes: btequalimage, or btvarstrequalimage under a deterministic
    -- collation. numeric, float, jsonb, arrays and ranges have none.
    coalesce((
        SELECT bool_or(
            pr.proname = 'btequalimage'
            OR (pr.proname = 'btvarstrequalimage' AND coalesce(co.collisdeterministic, true))
        )
        FROM pg_catalog.pg_opclass AS oc
        JOIN pg_catalog.pg_am AS am ON am.oid = oc.opcmethod AND am.amname = 'btree'
        JOIN pg_catalog.pg_amproc AS ap
            ON ap.amprocfamily = oc.opcfamily
            AND ap.amprocnum = 4
            AND ap.amproclefttype = oc.opcintype
        JOIN pg_catalog.pg_proc AS pr ON pr.oid = ap.amproc
        WHERE oc.opcdefault
          AND oc.opcintype IN (
              coalesce(nullif(t.typbasetype, 0), t.oid),
              CASE WHEN t.typcategory = 'S' THEN 'pg_catalog.text'::pg_catalog.regtype END,
              CASE WHEN t.typtype = 'e' THEN 'pg_catalog.anyenum'::pg_catalog.regtype END
          )
    ), false) AS dedup,
    co.collname IN ('C', 'POSIX') AS c_collation
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
JOIN pg_catalog.pg_namespace AS tn ON tn.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_type AS et ON et.oid = t.typelem
LEFT JOIN pg_catalog.pg_namespace AS en ON en.oid = et.typnamespace
LEFT JOIN pg_catalog.pg_collation AS co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_stats AS s
    ON s.schemaname = n.nspname
    AND s.tablename = c.relname
    AND s.attname = a.attname
    AND NOT s.inherited
WHERE a.attrelid = ANY(%(oids)s)
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
