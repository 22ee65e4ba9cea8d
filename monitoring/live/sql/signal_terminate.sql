/* dbconsole */
-- The backend must still be the one the operator confirmed: a pid is reused by the next connection.
SELECT
    pg_terminate_backend(a.pid) AS signalled
FROM pg_stat_activity AS a
WHERE a.pid = %(pid)s
    AND a.backend_start = %(backend_start)s
