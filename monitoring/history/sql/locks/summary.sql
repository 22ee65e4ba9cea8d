/* dbconsole */
-- Per target, the lock incidents overlapping a range, for the overview headline and the fleet badge:
-- how many, the longest wait, the newest, and the worst one (longest wait, then most waiters, then
-- newest) with its root blocker. One row per target that had any.
SELECT DISTINCT ON (i.target_id)
    i.target_id,
    count(*) OVER (PARTITION BY i.target_id) AS incidents,
    sum(i.samples) OVER (PARTITION BY i.target_id) AS samples,
    first_value(i.id) OVER (PARTITION BY i.target_id ORDER BY i.started_at DESC, i.id DESC) AS latest_id,
    max(i.last_seen_at) OVER (PARTITION BY i.target_id) AS latest_at,
    i.id AS worst_id,
    i.started_at,
    i.last_seen_at,
    i.root_pid,
    i.root_usename,
    i.root_application,
    i.root_state,
    left(i.root_query, 200) AS root_query,
    i.relations,
    i.max_waiters,
    i.max_wait_seconds
FROM monitoring_lockincident AS i
WHERE i.target_id = ANY(%(targets)s)
    AND i.started_at <= %(end)s
    AND i.last_seen_at >= %(start)s
ORDER BY i.target_id, i.max_wait_seconds DESC, i.max_waiters DESC, i.started_at DESC, i.id DESC
