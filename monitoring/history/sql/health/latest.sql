/* dbconsole */
-- Everything the health checks read, one row per target (NULLs where a collector stored nothing yet):
-- the newest database, activity and replication samples; from the newest relations sample the tables
-- with the oldest relfrozenxid / relminmxid; from the newest sequences snapshot the sequences at or
-- above %(watch)s percent used and those the monitoring role could not read (or found locked); the
-- invalid indexes; the freeze settings; the target's name and role (for the fixes the checks name).
SELECT
    t.id AS target_id,
    tg.name AS target_name,
    tg.username AS role,
    coalesce(tg.enabled, true) AS enabled,
    d.captured_at AS database_at,
    d.stats_reset,
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
    r.last_failed_at,
    rel.captured_at AS tables_at,
    (
        SELECT jsonb_agg(
            jsonb_build_object('name', c.schema || '.' || c.name, 'xid_age', o.xid_age, 'mxid_age', o.mxid_age)
            ORDER BY o.xid_age DESC, o.mxid_age DESC
        )
        FROM (
            (
                SELECT u.seq, u.xid_age, u.mxid_age
                FROM unnest(rel.t_seqs, rel.t_xid_age, rel.t_mxid_age) AS u(seq, xid_age, mxid_age)
                ORDER BY u.xid_age DESC
                LIMIT %(per_target)s
            )
            UNION
            (
                SELECT u.seq, u.xid_age, u.mxid_age
                FROM unnest(rel.t_seqs, rel.t_xid_age, rel.t_mxid_age) AS u(seq, xid_age, mxid_age)
                ORDER BY u.mxid_age DESC
                LIMIT %(per_target)s
            )
        ) AS o
        JOIN monitoring_relation AS c
            ON c.target_id = t.id
            AND c.seq = o.seq
    ) AS oldest_tables,
    s.captured_at AS sequences_at,
    (
        SELECT jsonb_agg(j.item ORDER BY (j.item ->> 'percent_used')::float8 DESC)
        FROM jsonb_array_elements(s.sequences) AS j(item)
        WHERE jsonb_typeof(j.item -> 'percent_used') = 'number'
            AND (j.item ->> 'percent_used')::float8 >= %(watch)s
    ) AS sequences,
    (
        SELECT jsonb_agg(jsonb_build_object('schema', j.item ->> 'schema', 'name', j.item ->> 'name')
                         ORDER BY j.item ->> 'schema', j.item ->> 'name')
        FROM jsonb_array_elements(s.sequences) AS j(item)
        WHERE (j.item ->> 'readable')::boolean IS FALSE
    ) AS unreadable_sequences,
    (
        SELECT jsonb_agg(jsonb_build_object('schema', j.item ->> 'schema', 'name', j.item ->> 'name')
                         ORDER BY j.item ->> 'schema', j.item ->> 'name')
        FROM jsonb_array_elements(s.sequences) AS j(item)
        WHERE (j.item ->> 'readable')::boolean IS NOT FALSE
            AND (j.item ->> 'skipped_locked')::boolean IS TRUE
    ) AS busy_sequences,
    (
        SELECT jsonb_agg(i.schema || '.' || i.name ORDER BY i.schema, i.name)
        FROM monitoring_relation AS i
        WHERE i.target_id = t.id
            AND i.kind IN ('i', 'I')
            AND NOT i.is_valid
            AND i.dropped_at IS NULL
    ) AS invalid_indexes,
    (
        SELECT jsonb_object_agg(v.name, v.setting)
        FROM monitoring_settingvalue AS v
        WHERE v.target_id = t.id
            AND v.name IN ('autovacuum_freeze_max_age', 'autovacuum_multixact_freeze_max_age')
    ) AS freeze_settings
FROM unnest(%(targets)s::int4[]) AS t(id)
LEFT JOIN monitoring_target AS tg
    ON tg.id = t.id
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.stats_reset, x.xid_age, x.mxid_age, x.blks_hit, x.blks_read
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
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.t_seqs, x.t_xid_age, x.t_mxid_age
    FROM monitoring_relation_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS rel ON true
LEFT JOIN LATERAL (
    SELECT x.captured_at, x.sequences
    FROM monitoring_sequencesnapshot AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS s ON true
ORDER BY t.id
