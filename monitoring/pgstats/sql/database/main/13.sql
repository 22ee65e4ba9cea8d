/* dbconsole */
-- The target's database: cumulative counters as pg_stat_database shows them, size and wraparound age.
SELECT
    pg_postmaster_start_time() AS started_at,
    d.stats_reset,
    pg_database_size(current_database()) AS size_bytes,
    d.numbackends,
    age(db.datfrozenxid)::int8 AS xid_age,
    mxid_age(db.datminmxid)::int8 AS mxid_age,
    d.xact_commit,
    d.xact_rollback,
    d.blks_read,
    d.blks_hit,
    d.tup_returned,
    d.tup_fetched,
    d.tup_inserted,
    d.tup_updated,
    d.tup_deleted,
    d.conflicts,
    d.temp_files,
    d.temp_bytes,
    d.deadlocks,
    coalesce(d.checksum_failures, 0) AS checksum_failures,
    d.blk_read_time,
    d.blk_write_time,
    NULL::int8 AS sessions,
    NULL::int8 AS sessions_abandoned,
    NULL::int8 AS sessions_fatal,
    NULL::int8 AS sessions_killed,
    NULL::float8 AS session_time,
    NULL::float8 AS active_time,
    NULL::float8 AS idle_in_transaction_time
FROM pg_stat_database AS d
JOIN pg_database AS db
    ON db.oid = d.datid
WHERE d.datname = current_database()
