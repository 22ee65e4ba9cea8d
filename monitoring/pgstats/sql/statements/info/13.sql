/* dbconsole */
-- pg_stat_statements 1.8 has no pg_stat_statements_info: resets are seen only as counters going back.
SELECT
    pg_postmaster_start_time() AS started_at,
    NULL::timestamptz AS stats_reset,
    NULL::int8 AS dealloc
