/* dbconsole */
SELECT
    d.datname,
    age(d.datfrozenxid)::bigint AS xid_age,
    mxid_age(d.datminmxid)::bigint AS mxid_age,
    current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age,
    current_setting('autovacuum_multixact_freeze_max_age')::bigint AS mxid_freeze_max_age
FROM pg_database AS d
WHERE d.datallowconn
ORDER BY xid_age DESC, d.datname
