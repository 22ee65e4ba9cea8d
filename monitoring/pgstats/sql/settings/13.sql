/* dbconsole */
SELECT
    s.name,
    coalesce(s.setting, '') AS setting,
    coalesce(s.unit, '') AS unit,
    s.source,
    s.category,
    s.vartype,
    coalesce(s.boot_val, '') AS boot_val,
    coalesce(s.reset_val, '') AS reset_val,
    s.pending_restart
FROM pg_settings AS s
ORDER BY s.name
