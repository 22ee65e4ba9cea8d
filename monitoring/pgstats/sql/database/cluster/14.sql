/* dbconsole */
-- Cluster-wide: checkpoints and background writer (pg_stat_bgwriter up to 16), WAL (pg_stat_wal, 14+).
SELECT
    b.stats_reset AS cluster_stats_reset,
    b.checkpoints_timed,
    b.checkpoints_req,
    b.checkpoint_write_time,
    b.checkpoint_sync_time,
    b.buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    b.buffers_backend,
    b.buffers_alloc,
    w.wal_records,
    w.wal_fpi,
    w.wal_bytes::int8 AS wal_bytes,
    w.wal_buffers_full,
    w.wal_write,
    w.wal_sync
FROM pg_stat_bgwriter AS b
CROSS JOIN pg_stat_wal AS w
