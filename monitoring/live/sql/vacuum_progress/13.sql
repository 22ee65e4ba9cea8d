/* dbconsole */
SELECT
    a.pid,
    a.backend_type,
    coalesce(p.datname, a.datname) AS datname,
    CASE
        WHEN p.datid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
            THEN p.relid::regclass::text
        ELSE p.relid::text
    END AS relation,
    p.phase,
    p.heap_blks_total,
    p.heap_blks_scanned,
    p.heap_blks_vacuumed,
    p.index_vacuum_count,
    p.num_dead_tuples AS dead_items,
    100.0 * p.num_dead_tuples / nullif(p.max_dead_tuples, 0) AS dead_items_mem_pct,
    NULL::bigint AS indexes_total,
    NULL::bigint AS indexes_processed,
    a.wait_event_type,
    a.wait_event,
    a.query,
    extract(EPOCH FROM now() - coalesce(a.xact_start, a.query_start))::float8 AS running_seconds
FROM pg_stat_activity AS a
LEFT JOIN pg_stat_progress_vacuum AS p
    ON p.pid = a.pid
WHERE a.backend_type = 'autovacuum worker'
    OR p.pid IS NOT NULL
ORDER BY running_seconds DESC NULLS LAST, a.pid
