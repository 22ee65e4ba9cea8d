/* dbconsole */
-- One day row = the cumulative counters of every statement since the target's first collection,
-- through the end of the day: the previous day row plus the day's last hour row, element by element.
INSERT INTO monitoring_stmt_day (target_id, day, through, nseq, totals, calls, plans, plan_us, exec_us, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, local_blks_hit, local_blks_read, local_blks_dirtied, local_blks_written, temp_blks_read, temp_blks_written, shared_read_us, shared_write_us, local_read_us, local_write_us, temp_read_us, temp_write_us, wal_records, wal_fpi, wal_bytes)
SELECT
    h.target_id,
    %(day)s,
    h.through,
    greatest(h.nseq, coalesce(p.nseq, 0)),
    (SELECT array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) FROM unnest(h.totals, p.totals) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.calls, p.calls) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.plans, p.plans) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.plan_us, p.plan_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.exec_us, p.exec_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.rows, p.rows) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_blks_hit, p.shared_blks_hit) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_blks_read, p.shared_blks_read) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_blks_dirtied, p.shared_blks_dirtied) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_blks_written, p.shared_blks_written) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_blks_hit, p.local_blks_hit) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_blks_read, p.local_blks_read) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_blks_dirtied, p.local_blks_dirtied) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_blks_written, p.local_blks_written) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.temp_blks_read, p.temp_blks_read) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.temp_blks_written, p.temp_blks_written) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_read_us, p.shared_read_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.shared_write_us, p.shared_write_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_read_us, p.local_read_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.local_write_us, p.local_write_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.temp_read_us, p.temp_read_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.temp_write_us, p.temp_write_us) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.wal_records, p.wal_records) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.wal_fpi, p.wal_fpi) WITH ORDINALITY AS u(a, b, o)),
    (SELECT CASE WHEN bool_or(coalesce(a, 0) + coalesce(b, 0) <> 0) THEN array_agg(coalesce(a, 0) + coalesce(b, 0) ORDER BY o) END FROM unnest(h.wal_bytes, p.wal_bytes) WITH ORDINALITY AS u(a, b, o))
FROM monitoring_stmt_hour AS h
LEFT JOIN LATERAL (
    SELECT d.*
    FROM monitoring_stmt_day AS d
    WHERE d.target_id = h.target_id
        AND d.day < %(day)s
    ORDER BY d.day DESC
    LIMIT 1
) AS p
    ON true
WHERE h.target_id = %(target)s
    AND h.hour = (
        SELECT max(x.hour)
        FROM monitoring_stmt_hour AS x
        WHERE x.target_id = %(target)s
            AND x.hour >= %(day)s
            AND x.hour < %(day)s + interval '1 day'
    )
ON CONFLICT (target_id, day) DO UPDATE SET
    through = EXCLUDED.through,
    nseq = EXCLUDED.nseq,
    totals = EXCLUDED.totals,
    calls = EXCLUDED.calls,
    plans = EXCLUDED.plans,
    plan_us = EXCLUDED.plan_us,
    exec_us = EXCLUDED.exec_us,
    rows = EXCLUDED.rows,
    shared_blks_hit = EXCLUDED.shared_blks_hit,
    shared_blks_read = EXCLUDED.shared_blks_read,
    shared_blks_dirtied = EXCLUDED.shared_blks_dirtied,
    shared_blks_written = EXCLUDED.shared_blks_written,
    local_blks_hit = EXCLUDED.local_blks_hit,
    local_blks_read = EXCLUDED.local_blks_read,
    local_blks_dirtied = EXCLUDED.local_blks_dirtied,
    local_blks_written = EXCLUDED.local_blks_written,
    temp_blks_read = EXCLUDED.temp_blks_read,
    temp_blks_written = EXCLUDED.temp_blks_written,
    shared_read_us = EXCLUDED.shared_read_us,
    shared_write_us = EXCLUDED.shared_write_us,
    local_read_us = EXCLUDED.local_read_us,
    local_write_us = EXCLUDED.local_write_us,
    temp_read_us = EXCLUDED.temp_read_us,
    temp_write_us = EXCLUDED.temp_write_us,
    wal_records = EXCLUDED.wal_records,
    wal_fpi = EXCLUDED.wal_fpi,
    wal_bytes = EXCLUDED.wal_bytes
