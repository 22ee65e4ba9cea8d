/* dbconsole */
SELECT
    current_setting('server_version') AS server_version,
    pg_postmaster_start_time() AS started_at,
    current_setting('max_connections')::int AS max_connections,
    count(*) FILTER (WHERE a.backend_type = 'client backend') AS connections,
    count(*) FILTER (WHERE a.backend_type = 'client backend' AND a.state = 'active') AS active,
    count(*) FILTER (WHERE a.state LIKE 'idle in transaction%') AS idle_in_transaction,
    count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS waiting_on_locks,
    -- Sessions of other roles show no state, query or wait without pg_read_all_stats: the counts above
    -- cannot include them, and the health checks must say so rather than call them fine.
    count(*) FILTER (WHERE a.backend_type IS NULL) AS hidden_sessions,
    max(now() - a.query_start) FILTER (
        WHERE a.state = 'active' AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
    ) AS longest_query,
    max(now() - a.xact_start) FILTER (
        WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
    ) AS longest_transaction,
    pg_database_size(current_database()) AS database_size,
    (
        SELECT d.blks_hit::float8 / nullif(d.blks_hit + d.blks_read, 0)
        FROM pg_stat_database AS d
        WHERE d.datname = current_database()
    ) AS cache_hit_ratio,
    (
        SELECT d.blks_hit + d.blks_read
        FROM pg_stat_database AS d
        WHERE d.datname = current_database()
    ) AS cache_blocks,
    (
        SELECT d.stats_reset
        FROM pg_stat_database AS d
        WHERE d.datname = current_database()
    ) AS stats_reset
FROM pg_stat_activity AS a
