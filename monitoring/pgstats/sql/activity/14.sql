/* dbconsole */
SELECT
    a.pid,
    a.leader_pid,
    a.datname,
    a.usename,
    a.application_name,
    host(a.client_addr) AS client_addr,
    a.backend_type,
    a.state,
    a.wait_event_type,
    a.wait_event,
    a.backend_start,
    a.xact_start,
    a.query_start,
    a.state_change,
    age(a.backend_xid) AS xid_age,
    age(a.backend_xmin) AS xmin_age,
    a.query_id,
    a.query
FROM pg_stat_activity AS a
WHERE a.pid <> pg_backend_pid()
ORDER BY a.pid
