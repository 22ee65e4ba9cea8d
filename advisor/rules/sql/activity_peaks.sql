/* dbconsole: the longest idle-in-transaction time, the longest query and the oldest xmin seen in a
   window of activity samples (10-second raw samples; the hourly rollup keeps no xmin age) */
SELECT
    count(*) AS samples,
    max(a.longest_idle_tx_seconds) AS longest_idle_tx_seconds,
    (array_agg(a.captured_at ORDER BY a.longest_idle_tx_seconds DESC NULLS LAST))[1] AS longest_idle_tx_at,
    max(a.longest_query_seconds) AS longest_query_seconds,
    (array_agg(a.captured_at ORDER BY a.longest_query_seconds DESC NULLS LAST))[1] AS longest_query_at,
    max(a.oldest_xmin_age) AS oldest_xmin_age
FROM monitoring_activity_raw AS a
WHERE a.target_id = %(t)s
  AND a.captured_at >= %(start)s
  AND a.captured_at <= %(end)s
