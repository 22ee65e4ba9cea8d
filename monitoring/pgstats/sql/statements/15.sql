/* dbconsole */
-- Counters only (showtext := false): the text file is never read on the steady path. Times become
-- integer microseconds and wal_bytes an int8, so every value travels as a binary int8.
SELECT
    s.userid::int8 AS userid,
    s.dbid::int8 AS dbid,
    s.queryid,
    s.toplevel AS toplevel,
    s.calls,
    s.plans,
    round(s.total_plan_time * 1000)::int8 AS plan_us,
    round(s.total_exec_time * 1000)::int8 AS exec_us,
    s.rows,
    s.shared_blks_hit,
    s.shared_blks_read,
    s.shared_blks_dirtied,
    s.shared_blks_written,
    s.local_blks_hit,
    s.local_blks_read,
    s.local_blks_dirtied,
    s.local_blks_written,
    s.temp_blks_read,
    s.temp_blks_written,
    round(s.blk_read_time * 1000)::int8 AS shared_read_us,
    round(s.blk_write_time * 1000)::int8 AS shared_write_us,
    0::int8 AS local_read_us,
    0::int8 AS local_write_us,
    round(s.temp_blk_read_time * 1000)::int8 AS temp_read_us,
    round(s.temp_blk_write_time * 1000)::int8 AS temp_write_us,
    s.wal_records,
    s.wal_fpi,
    s.wal_bytes::int8 AS wal_bytes,
    0::int8 AS stats_since_us
FROM pg_stat_statements(false) AS s
WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
