/* dbconsole */
-- Per target, from its newest relations sample: the tables with the oldest unfrozen transaction ids
-- and multixact ids (what a forced anti-wraparound vacuum would work on first). A target whose sample
-- holds no table still gives one row (NULL table) so "checked, nothing there" differs from "never".
SELECT
    t.id AS target_id,
    r.captured_at,
    rel.schema,
    rel.name,
    u.xid_age,
    u.mxid_age
FROM unnest(%(targets)s::int4[]) AS t(id)
CROSS JOIN LATERAL (
    SELECT x.captured_at, x.t_seqs, x.t_xid_age, x.t_mxid_age
    FROM monitoring_relation_raw AS x
    WHERE x.target_id = t.id
    ORDER BY x.captured_at DESC
    LIMIT 1
) AS r
LEFT JOIN LATERAL (
    (
        SELECT o.seq, o.xid_age, o.mxid_age
        FROM unnest(r.t_seqs, r.t_xid_age, r.t_mxid_age) AS o(seq, xid_age, mxid_age)
        ORDER BY o.xid_age DESC
        LIMIT %(per_target)s
    )
    UNION
    (
        SELECT o.seq, o.xid_age, o.mxid_age
        FROM unnest(r.t_seqs, r.t_xid_age, r.t_mxid_age) AS o(seq, xid_age, mxid_age)
        ORDER BY o.mxid_age DESC
        LIMIT %(per_target)s
    )
) AS u ON true
LEFT JOIN monitoring_relation AS rel
    ON rel.target_id = t.id
    AND rel.seq = u.seq
ORDER BY t.id, u.xid_age DESC NULLS LAST
