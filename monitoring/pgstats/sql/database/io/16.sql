/* dbconsole */
-- pg_stat_io (16+), summed per backend type: {backend_type: {reads, writes, extends, hits, ...}}.
SELECT
    coalesce(jsonb_object_agg(t.backend_type, jsonb_build_object(
        'reads', t.reads,
        'writes', t.writes,
        'extends', t.extends,
        'hits', t.hits,
        'evictions', t.evictions,
        'fsyncs', t.fsyncs,
        'read_time', t.read_time,
        'write_time', t.write_time
    )), '{}'::jsonb) AS io
FROM (
    SELECT
        s.backend_type,
        sum(s.reads)::int8 AS reads,
        sum(s.writes)::int8 AS writes,
        sum(s.extends)::int8 AS extends,
        sum(s.hits)::int8 AS hits,
        sum(s.evictions)::int8 AS evictions,
        sum(s.fsyncs)::int8 AS fsyncs,
        sum(s.read_time) AS read_time,
        sum(s.write_time) AS write_time
    FROM pg_stat_io AS s
    GROUP BY s.backend_type
) AS t
