/* dbconsole */
-- When a target's history begins: the oldest row it has in the families every target collects
-- (activity every 10 s, database every 5 minutes, statements every minute), at any resolution: raw
-- rows expire first, the hourly and daily rows keep the beginning after that. Each probe is the first
-- entry of a (target_id, time) primary key. A daily statements row is keyed by the start of its day,
-- which may be before the first collection of that day: the answer is then early by up to a day, for
-- history older than the raw retention, where a day matters little against the ranges that reach it.
SELECT
    min(f.first_at)
FROM (
    (SELECT a.captured_at AS first_at FROM monitoring_activity_raw AS a
     WHERE a.target_id = %(target)s ORDER BY a.captured_at LIMIT 1)
    UNION ALL
    (SELECT h.hour FROM monitoring_activity_hour AS h
     WHERE h.target_id = %(target)s ORDER BY h.hour LIMIT 1)
    UNION ALL
    (SELECT d.captured_at FROM monitoring_database_raw AS d
     WHERE d.target_id = %(target)s ORDER BY d.captured_at LIMIT 1)
    UNION ALL
    (SELECT d.captured_at FROM monitoring_database_hour AS d
     WHERE d.target_id = %(target)s ORDER BY d.captured_at LIMIT 1)
    UNION ALL
    (SELECT d.captured_at FROM monitoring_database_day AS d
     WHERE d.target_id = %(target)s ORDER BY d.captured_at LIMIT 1)
    UNION ALL
    (SELECT s.captured_at FROM monitoring_stmt_raw AS s
     WHERE s.target_id = %(target)s ORDER BY s.captured_at LIMIT 1)
    UNION ALL
    (SELECT s.day FROM monitoring_stmt_day AS s
     WHERE s.target_id = %(target)s ORDER BY s.day LIMIT 1)
) AS f
