/* dbconsole */
SELECT
    pg_postmaster_start_time() AS started_at,
    (
        SELECT d.stats_reset
        FROM pg_stat_database AS d
        WHERE d.datname = current_database()
    ) AS stats_reset
