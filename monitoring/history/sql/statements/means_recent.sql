/* dbconsole */
-- Calls and execution time of every statement over the raw rows in (start, end]: exact to the
-- collection, for a recent window of minutes (the alert rules' query regression). Statements with
-- fewer than min_calls calls in the window are left out.
SELECT
    u.seq,
    sum(u.calls)::int8 AS calls,
    sum(u.exec_us)::int8 AS exec_us
FROM monitoring_stmt_raw AS r
CROSS JOIN LATERAL unnest(r.seqs, r.calls, r.exec_us) AS u(seq, calls, exec_us)
WHERE r.target_id = %(target)s
    AND r.captured_at > %(start)s
    AND r.captured_at <= %(end)s
GROUP BY u.seq
HAVING sum(u.calls) >= %(min_calls)s
