/* dbconsole */
-- The tables of this database closest to a forced anti-wraparound vacuum; a per-table
-- autovacuum_freeze_max_age reloption takes precedence over the server setting. Sizes come from
-- pg_class.relpages (table, TOAST, indexes): pg_total_relation_size() would take an AccessShareLock
-- and make the page wait (then fail) behind any ACCESS EXCLUSIVE lock, e.g. during a lock chain.
WITH oldest AS (
    SELECT
        c.oid,
        c.reloptions,
        age(c.relfrozenxid)::bigint AS xid_age,
        mxid_age(c.relminmxid)::bigint AS mxid_age
    FROM pg_class AS c
    WHERE c.relkind IN ('r', 'm', 't')
        AND c.relfrozenxid <> '0'::xid
    ORDER BY age(c.relfrozenxid) DESC, c.oid
    LIMIT 15
)
SELECT
    o.oid::regclass::text AS relation,
    o.xid_age,
    o.mxid_age,
    coalesce(
        (
            SELECT opt.option_value::bigint
            FROM pg_options_to_table(o.reloptions) AS opt
            WHERE opt.option_name = 'autovacuum_freeze_max_age'
        ),
        current_setting('autovacuum_freeze_max_age')::bigint
    ) AS freeze_max_age,
    (
        SELECT (
            c.relpages
            + coalesce((SELECT t.relpages FROM pg_class AS t WHERE t.oid = c.reltoastrelid), 0)
            + coalesce((
                SELECT sum(ic.relpages)
                FROM pg_index AS i
                JOIN pg_class AS ic
                    ON ic.oid = i.indexrelid
                WHERE i.indrelid = c.oid
            ), 0)
        )::bigint * current_setting('block_size')::bigint
        FROM pg_class AS c
        WHERE c.oid = o.oid
    ) AS total_bytes,
    s.n_dead_tup,
    s.last_vacuum,
    s.last_autovacuum
FROM oldest AS o
LEFT JOIN pg_stat_all_tables AS s
    ON s.relid = o.oid
ORDER BY o.xid_age DESC, o.oid
