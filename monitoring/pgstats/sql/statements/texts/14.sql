/* dbconsole */
-- Texts only for statements the history store does not know yet (the text file is read once here).
SELECT
    s.userid::int8 AS userid,
    s.dbid::int8 AS dbid,
    s.queryid,
    s.toplevel AS toplevel,
    s.query,
    coalesce(r.rolname, '') AS usename,
    current_database() AS datname
FROM pg_stat_statements(true) AS s
LEFT JOIN pg_roles AS r
    ON r.oid = s.userid
WHERE s.dbid = (SELECT d.oid FROM pg_database AS d WHERE d.datname = current_database())
    AND s.queryid = ANY(%(queryids)s)
