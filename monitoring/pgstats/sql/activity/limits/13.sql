/* dbconsole */
SELECT
    now() AS sampled_at,
    current_setting('max_connections')::int AS max_connections,
    current_setting('superuser_reserved_connections')::int AS reserved_connections
