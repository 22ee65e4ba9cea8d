/* dbconsole */
-- Replicas with their lag (bytes behind this primary, and the lag times they report), replication
-- slots with the WAL they retain, the archiver; on a standby, the WAL receiver and the replay delay.
-- pg_current_wal_lsn() fails during recovery, hence the CASEs.
SELECT
    pg_is_in_recovery() AS in_recovery,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'pid', r.pid,
            'application_name', r.application_name,
            'client_addr', host(r.client_addr),
            'state', r.state,
            'sync_state', r.sync_state,
            'sent_lag_bytes', CASE WHEN NOT pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_current_wal_lsn(), r.sent_lsn) END,
            'write_lag_bytes', CASE WHEN NOT pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_current_wal_lsn(), r.write_lsn) END,
            'flush_lag_bytes', CASE WHEN NOT pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_current_wal_lsn(), r.flush_lsn) END,
            'replay_lag_bytes', CASE WHEN NOT pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) END,
            'write_lag_seconds', extract(epoch FROM r.write_lag),
            'flush_lag_seconds', extract(epoch FROM r.flush_lag),
            'replay_lag_seconds', extract(epoch FROM r.replay_lag),
            'reply_time', r.reply_time
        ) ORDER BY r.application_name, r.pid)
        FROM pg_stat_replication AS r
    ), '[]'::jsonb) AS replicas,
    coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'slot_name', s.slot_name,
            'slot_type', s.slot_type,
            'database', s.database,
            'active', s.active,
            'wal_status', s.wal_status,
            'safe_wal_size', s.safe_wal_size,
            'retained_bytes', pg_wal_lsn_diff(
                CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END,
                s.restart_lsn
            )
        ) ORDER BY s.slot_name)
        FROM pg_replication_slots AS s
    ), '[]'::jsonb) AS slots,
    (SELECT to_jsonb(w) - 'conninfo' FROM pg_stat_wal_receiver AS w LIMIT 1) AS receiver,
    CASE WHEN pg_is_in_recovery() THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
        AS replay_delay_seconds,
    a.archived_count,
    a.failed_count,
    a.last_archived_wal,
    a.last_archived_time AS last_archived_at,
    a.last_failed_wal,
    a.last_failed_time AS last_failed_at
FROM pg_stat_archiver AS a
