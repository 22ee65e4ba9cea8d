/* dbconsole: can HypoPG be created in this database (installed on the server)? */
SELECT default_version
FROM pg_catalog.pg_available_extensions
WHERE name = 'hypopg'
