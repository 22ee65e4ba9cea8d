/* dbconsole */
SELECT
    pg_postmaster_start_time() AS started_at,
    i.stats_reset,
    i.dealloc
FROM pg_stat_statements_info AS i
