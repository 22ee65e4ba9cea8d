/* dbconsole */
-- Tables, materialized views and partitioned tables, partitions folded into their top-level parent.
-- Sizes are pg_class.relpages (kept current by VACUUM, ANALYZE and CREATE INDEX): reading them takes
-- no lock at all, whereas pg_relation_size() takes an AccessShareLock that would queue behind DDL.
-- A partitioned parent's own row counts what ANALYZE summed from its partitions: only leaves are added.
WITH rel AS (
    SELECT
        coalesce(pg_partition_root(c.oid)::oid, c.oid)::int8 AS root,
        c.oid,
        c.relkind,
        c.relpages,
        c.reltuples,
        c.reltoastrelid,
        c.relfrozenxid,
        c.relminmxid
    FROM pg_class AS c
    JOIN pg_namespace AS n
        ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\_toast%'
        AND n.nspname NOT LIKE 'pg\_temp%'
),
idx AS (
    SELECT
        i.indrelid,
        sum(ic.relpages)::int8 AS pages
    FROM pg_index AS i
    JOIN pg_class AS ic
        ON ic.oid = i.indexrelid
    WHERE i.indrelid IN (SELECT r.oid FROM rel AS r)
    GROUP BY i.indrelid
)
SELECT
    r.root AS oid,
    rn.nspname AS schema,
    rc.relname AS name,
    rc.relkind AS kind,
    sum(r.relpages)::int8 * current_setting('block_size')::int8 AS heap_bytes,
    coalesce(sum(t.relpages), 0)::int8 * current_setting('block_size')::int8 AS toast_bytes,
    coalesce(sum(x.pages), 0)::int8 * current_setting('block_size')::int8 AS index_bytes,
    coalesce(sum(greatest(r.reltuples, 0)) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS reltuples,
    coalesce(sum(s.seq_scan) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS seq_scan,
    coalesce(sum(s.seq_tup_read) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS seq_tup_read,
    coalesce(sum(s.idx_scan) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS idx_scan,
    coalesce(sum(s.idx_tup_fetch) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS idx_tup_fetch,
    coalesce(sum(s.n_tup_ins) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_tup_ins,
    coalesce(sum(s.n_tup_upd) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_tup_upd,
    coalesce(sum(s.n_tup_del) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_tup_del,
    coalesce(sum(s.n_tup_hot_upd) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_tup_hot_upd,
    coalesce(sum(s.n_live_tup) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_live_tup,
    coalesce(sum(s.n_dead_tup) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_dead_tup,
    coalesce(sum(s.n_mod_since_analyze) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS n_mod_since_analyze,
    coalesce(sum(s.vacuum_count) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS vacuum_count,
    coalesce(sum(s.autovacuum_count) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS autovacuum_count,
    coalesce(sum(s.analyze_count) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS analyze_count,
    coalesce(sum(s.autoanalyze_count) FILTER (WHERE r.relkind <> 'p'), 0)::int8 AS autoanalyze_count,
    coalesce(max(greatest(age(r.relfrozenxid), age(t.relfrozenxid))) FILTER (WHERE r.relkind <> 'p'), 0)::int8
        AS xid_age,
    coalesce(max(greatest(mxid_age(r.relminmxid), mxid_age(t.relminmxid))) FILTER (WHERE r.relkind <> 'p'), 0)::int8
        AS mxid_age,
    max(s.last_vacuum) AS last_vacuum,
    max(s.last_autovacuum) AS last_autovacuum,
    max(s.last_analyze) AS last_analyze,
    max(s.last_autoanalyze) AS last_autoanalyze,
    max(s.last_seq_scan) AS last_seq_scan
FROM rel AS r
JOIN pg_class AS rc
    ON rc.oid = r.root
JOIN pg_namespace AS rn
    ON rn.oid = rc.relnamespace
LEFT JOIN pg_class AS t
    ON t.oid = r.reltoastrelid
LEFT JOIN idx AS x
    ON x.indrelid = r.oid
LEFT JOIN pg_stat_all_tables AS s
    ON s.relid = r.oid
GROUP BY r.root, rn.nspname, rc.relname, rc.relkind
ORDER BY r.root
