/* dbconsole: the statements pg_stat_statements holds for the current database */
SELECT
    s.queryid,
    s.query,
    s.calls,
    s.total_exec_time,
    s.mean_exec_time
FROM pg_stat_statements AS s
JOIN pg_database AS d ON d.oid = s.dbid
WHERE d.datname = current_database()
  AND s.toplevel
ORDER BY s.total_exec_time DESC
