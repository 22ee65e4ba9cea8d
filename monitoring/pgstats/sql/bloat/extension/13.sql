/* dbconsole */
SELECT
    e.extversion
FROM pg_extension AS e
WHERE e.extname = 'pgstattuple'
