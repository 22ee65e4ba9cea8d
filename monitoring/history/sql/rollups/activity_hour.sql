/* dbconsole */
-- Hourly activity: averages and maxima of the 10-second samples; breakdowns as
-- {value: {"avg": …, "max": …}} (a value absent from a sample counts as 0 there).
WITH raw AS (
    SELECT
        a.*,
        date_trunc('hour', a.captured_at) AS hour
    FROM monitoring_activity_raw AS a
    WHERE a.captured_at >= %(since)s
        AND a.captured_at < %(until)s
),
hours AS (
    SELECT
        r.target_id,
        r.hour,
        count(*) AS samples,
        max(r.max_connections) AS max_connections,
        max(r.reserved_connections) AS reserved_connections,
        avg(r.clients) AS clients_avg,
        max(r.clients) AS clients_max,
        avg(r.active) AS active_avg,
        max(r.active) AS active_max,
        avg(r.idle) AS idle_avg,
        max(r.idle) AS idle_max,
        avg(r.idle_in_transaction) AS idle_in_transaction_avg,
        max(r.idle_in_transaction) AS idle_in_transaction_max,
        avg(r.waiting_lock) AS waiting_lock_avg,
        max(r.waiting_lock) AS waiting_lock_max,
        max(r.longest_query_seconds) AS longest_query_seconds,
        max(r.longest_xact_seconds) AS longest_xact_seconds,
        max(r.longest_idle_tx_seconds) AS longest_idle_tx_seconds
    FROM raw AS r
    GROUP BY r.target_id, r.hour
),
breakdown AS (
    SELECT
        b.target_id,
        b.hour,
        b.dimension,
        jsonb_object_agg(b.value, jsonb_build_object('avg', round(b.total / h.samples, 2), 'max', b.peak)) AS doc
    FROM (
        SELECT
            r.target_id,
            r.hour,
            d.dimension,
            e.key AS value,
            sum(e.value::numeric) AS total,
            max(e.value::numeric) AS peak
        FROM raw AS r
        CROSS JOIN LATERAL (
            VALUES ('database', r.by_database), ('user', r.by_user), ('application', r.by_application),
                   ('client', r.by_client), ('wait_event', r.by_wait_event)
        ) AS d(dimension, doc)
        CROSS JOIN LATERAL jsonb_each_text(d.doc) AS e
        GROUP BY r.target_id, r.hour, d.dimension, e.key
    ) AS b
    JOIN hours AS h
        ON h.target_id = b.target_id
        AND h.hour = b.hour
    GROUP BY b.target_id, b.hour, b.dimension
)
INSERT INTO monitoring_activity_hour
SELECT
    h.target_id,
    h.hour,
    h.samples,
    h.max_connections,
    h.reserved_connections,
    h.clients_avg,
    h.clients_max,
    h.active_avg,
    h.active_max,
    h.idle_avg,
    h.idle_max,
    h.idle_in_transaction_avg,
    h.idle_in_transaction_max,
    h.waiting_lock_avg,
    h.waiting_lock_max,
    h.longest_query_seconds,
    h.longest_xact_seconds,
    h.longest_idle_tx_seconds,
    coalesce((SELECT b.doc FROM breakdown AS b WHERE b.target_id = h.target_id AND b.hour = h.hour AND b.dimension = 'database'), '{}'),
    coalesce((SELECT b.doc FROM breakdown AS b WHERE b.target_id = h.target_id AND b.hour = h.hour AND b.dimension = 'user'), '{}'),
    coalesce((SELECT b.doc FROM breakdown AS b WHERE b.target_id = h.target_id AND b.hour = h.hour AND b.dimension = 'application'), '{}'),
    coalesce((SELECT b.doc FROM breakdown AS b WHERE b.target_id = h.target_id AND b.hour = h.hour AND b.dimension = 'client'), '{}'),
    coalesce((SELECT b.doc FROM breakdown AS b WHERE b.target_id = h.target_id AND b.hour = h.hour AND b.dimension = 'wait_event'), '{}')
FROM hours AS h
ON CONFLICT (target_id, hour) DO NOTHING
