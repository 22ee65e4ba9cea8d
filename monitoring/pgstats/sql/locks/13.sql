/* dbconsole */
WITH waiting AS (
    SELECT
        a.pid,
        pg_blocking_pids(a.pid) AS blocked_by
    FROM pg_stat_activity AS a
    WHERE a.wait_event_type = 'Lock'
),
involved AS (
    SELECT w.pid FROM waiting AS w
    UNION
    SELECT unnest(w.blocked_by) FROM waiting AS w
)
SELECT
    i.pid,
    coalesce(w.blocked_by, '{}'::int[]) AS blocked_by,
    a.datname,
    a.usename,
    a.application_name,
    host(a.client_addr) AS client_addr,
    a.state,
    a.wait_event_type,
    a.wait_event,
    a.backend_start,
    a.xact_start,
    a.query_start,
    a.state_change,
    a.query,
    l.locktype,
    l.mode,
    coalesce(l.relation, held.relation)::regclass::text AS relation,
    NULL::timestamptz AS waitstart,
    now() AS sampled_at
FROM involved AS i
LEFT JOIN pg_stat_activity AS a
    ON a.pid = i.pid
LEFT JOIN waiting AS w
    ON w.pid = i.pid
LEFT JOIN LATERAL (
    SELECT ul.locktype, ul.mode, ul.relation
    FROM pg_locks AS ul
    WHERE ul.pid = i.pid
        AND NOT ul.granted
    LIMIT 1
) AS l
    ON w.pid IS NOT NULL
LEFT JOIN LATERAL (
    -- A row-lock wait is a wait on the blocker's transaction id: name the table the waiter works on.
    SELECT hl.relation
    FROM pg_locks AS hl
    JOIN pg_class AS c
        ON c.oid = hl.relation
    WHERE hl.pid = i.pid
        AND hl.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND c.relkind IN ('r', 'p', 'm')
    ORDER BY (hl.locktype = 'tuple') DESC, hl.mode DESC
    LIMIT 1
) AS held
    ON w.pid IS NOT NULL
ORDER BY i.pid
