/* dbconsole */
-- PostgreSQL 17 moved checkpoints to pg_stat_checkpointer (num_timed, num_requested, buffers_written);
-- buffers written by backends are in pg_stat_io now.
SELECT
    c.stats_reset AS cluster_stats_reset,
    c.num_timed AS checkpoints_timed,
    c.num_requested AS checkpoints_req,
    c.write_time AS checkpoint_write_time,
    c.sync_time AS checkpoint_sync_time,
    c.buffers_written AS buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    NULL::int8 AS buffers_backend,
    b.buffers_alloc,
    w.wal_records,
    w.wal_fpi,
    w.wal_bytes::int8 AS wal_bytes,
    w.wal_buffers_full,
    w.wal_write,
    w.wal_sync
FROM pg_stat_checkpointer AS c
CROSS JOIN pg_stat_bgwriter AS b
CROSS JOIN pg_stat_wal AS w
