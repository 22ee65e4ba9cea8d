/* dbconsole */
-- Cluster-wide: checkpoints and background writer (pg_stat_bgwriter up to 16); no pg_stat_wal before 14.
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
    NULL::int8 AS wal_records,
    NULL::int8 AS wal_fpi,
    NULL::int8 AS wal_bytes,
    NULL::int8 AS wal_buffers_full,
    NULL::int8 AS wal_write,
    NULL::int8 AS wal_sync
FROM pg_stat_bgwriter AS b
