/* dbconsole */
-- The newest activity, database and replication samples of every target asked for, one row per target
-- (NULLs where a collector stored nothing yet), with the freeze settings the wraparound ratios need and,
-- from the latest successful locks collection, the longest lock wait it saw (NULL: never collected).
SELECT
    t.id AS target_id,
    a.captured_at AS activity_at,
    a.max_connections,
    a.reserved_connections,
    a.clients,
    a.active,
    a.idle,
    a.idle_in_transaction,
    a.idle_in_transaction_aborted,
    a.other_state,
    a.waiting_lock,
    a.longest_query_seconds,
    a.longest_xact_seconds,
    d.captured_at AS database_at,
    d.size_bytes,
    d.xid_age,
    d.mxid_age,
    d.blks_hit,
    d.blks_read,
    d.xact_commit,
    d.xact_rollback,
    d.deadlocks,
    d.temp_bytes,
    d.wal_bytes,
    d.checkpoints_timed,
    d.checkpoints_req,
    d.buffers_checkpoint,
    d.buffers_clean,
    d.buffers_backend,
    r.captured_at AS replication_at,
    r.in_recovery,
    r.replicas,
    r.slots,
    r.replay_delay_seconds,
    (
        SELECT jsonb_object_agg(v.name, v.setting)
        FROM monitoring_settingvalue AS v
        WHERE v.target_id = t.id
            AND v.name IN ('autovacuum_freeze_max_age', 'autovacuum_multixact_freeze_max_age')
    ) AS freeze_settings,
    l.last_success_at AS locks_at,
    (
        SELECT coalesce(max(s.longest_wait_seconds), 0)
        FROM monitoring_lockincident AS i
        JOIN monitoring_locksample AS s
            ON s.incident_id = i.id
            AND s.captured_at = l.last_success_at
        WHERE i.target_id = t.id
            AND i.last_seen_at = l.last_success_at
    ) AS longest_lock_wait_seconds
FROM unnest(%(targets)s::int4[]) AS t(id)
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.max_connections, x.reserved_connections, x.clients, x.active, x.idle,
        x.idle_in_transaction, x.idle_in_transaction_aborted, x.other_state, x.waiting_lock,
        x.longest_query_seconds, x.longest_xact_seconds
    FROM monitoring_activity_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS a ON true
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.size_bytes, x.xid_age, x.mxid_age, x.blks_hit, x.blks_read, x.xact_commit,
        x.xact_rollback, x.deadlocks, x.temp_bytes, x.wal_bytes, x.checkpoints_timed, x.checkpoints_req,
        x.buffers_checkpoint, x.buffers_clean, x.buffers_backend
    FROM monitoring_database_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS d ON true
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.in_recovery, x.replicas, x.slots, x.replay_delay_seconds
    FROM monitoring_replication_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS r ON true
LEFT JOIN monitoring_collectorstatus AS l
    ON l.target_id = t.id
    AND l.collector = 'locks'
    AND l.last_success_at IS NOT NULL
ORDER BY t.id
