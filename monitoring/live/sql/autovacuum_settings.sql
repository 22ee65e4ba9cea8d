/* dbconsole */
SELECT
    current_setting('autovacuum') AS autovacuum,
    current_setting('autovacuum_max_workers')::int AS max_workers,
    current_setting('autovacuum_naptime') AS naptime,
    current_setting('autovacuum_freeze_max_age')::bigint AS freeze_max_age
