/* dbconsole: values of one column at given quantiles of its pg_stats distribution (MCVs + histogram) */
WITH stats AS (
    SELECT
        most_common_vals::text::{cast_type}[] AS mcv,
        most_common_freqs AS mcf,
        histogram_bounds::text::{cast_type}[] AS hist,
        null_frac
    FROM pg_catalog.pg_stats
    WHERE schemaname = %(schema)s
      AND tablename = %(table)s
      AND attname = %(column)s
      AND NOT inherited
),
points AS (
    SELECT
        m.val,
        m.freq::float8 AS freq
    FROM stats, unnest(stats.mcv, stats.mcf) AS m (val, freq)
    UNION ALL
    SELECT
        h.val,
        (1 - stats.null_frac - coalesce((SELECT sum(f) FROM unnest(stats.mcf) AS f), 0))::float8
            / greatest(cardinality(stats.hist), 1) AS freq
    FROM stats, unnest(stats.hist) AS h (val)
),
cumulative AS (
    SELECT
        val,
        sum(freq) OVER (ORDER BY val) / nullif(sum(freq) OVER (), 0) AS cum
    FROM points
)
SELECT
    q.quantile,
    (
        SELECT c.val::text
        FROM cumulative AS c
        WHERE c.cum >= q.quantile
        ORDER BY c.val
        LIMIT 1
    ) AS value
FROM unnest(%(quantiles)s::float8[]) AS q (quantile)
ORDER BY q.quantile
