/* dbconsole */
-- The newest database, activity and replication sample of each target, for the health checks: one row
-- per target, NULLs where a collector has stored nothing yet.
SELECT
    t.id AS target_id,
    d.captured_at AS database_at,
    d.xid_age,
    d.mxid_age,
    d.blks_hit,
    d.blks_read,
    a.captured_at AS activity_at,
    a.max_connections,
    a.reserved_connections,
    a.clients,
    a.idle_in_transaction,
    a.waiting_lock,
    a.longest_query_seconds,
    a.longest_xact_seconds,
    a.longest_idle_tx_seconds,
    r.captured_at AS replication_at,
    r.in_recovery,
    r.replicas,
    r.slots,
    r.replay_delay_seconds,
    r.archived_count,
    r.failed_count,
    r.last_archived_at,
    r.last_failed_wal,
    r.last_failed_at
FROM unnest(%(targets)s::int4[]) AS t(id)
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.xid_age, x.mxid_age, x.blks_hit, x.blks_read
    FROM monitoring_database_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS d ON true
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.max_connections, x.reserved_connections, x.clients, x.idle_in_transaction,
        x.waiting_lock, x.longest_query_seconds, x.longest_xact_seconds, x.longest_idle_tx_seconds
    FROM monitoring_activity_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS a ON true
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.in_recovery, x.replicas, x.slots, x.replay_delay_seconds, x.archived_count,
        x.failed_count, x.last_archived_at, x.last_failed_wal, x.last_failed_at
    FROM monitoring_replication_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS r ON true
ORDER BY t.id
