"""Per-target, per-collector status rows: written by the runner after every run, read by the fleet
overview (``selectors.fleet.collector_statuses``)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

UPSERT = """
INSERT INTO monitoring_collectorstatus AS s (
    target_id, collector, status, reason, hint, last_attempt_at, last_success_at, last_error_at,
    last_error, last_duration_ms, last_rows, consecutive_failures
)
VALUES (
    %(target)s, %(collector)s, %(status)s, %(reason)s, %(hint)s, %(at)s,
    CASE WHEN %(success)s THEN %(at)s::timestamptz END,
    CASE WHEN %(success)s THEN NULL ELSE %(at)s::timestamptz END,
    CASE WHEN %(success)s THEN '' ELSE %(reason)s END,
    %(ms)s, %(rows)s, CASE WHEN %(success)s THEN 0 ELSE 1 END
)
ON CONFLICT (target_id, collector) DO UPDATE SET
    status = EXCLUDED.status,
    reason = EXCLUDED.reason,
    hint = EXCLUDED.hint,
    last_attempt_at = EXCLUDED.last_attempt_at,
    last_success_at = coalesce(EXCLUDED.last_success_at, s.last_success_at),
    last_error_at = coalesce(EXCLUDED.last_error_at, s.last_error_at),
    last_error = CASE WHEN %(success)s THEN s.last_error ELSE EXCLUDED.last_error END,
    last_duration_ms = EXCLUDED.last_duration_ms,
    last_rows = coalesce(EXCLUDED.last_rows, s.last_rows),
    consecutive_failures = CASE WHEN %(success)s THEN 0 ELSE s.consecutive_failures + 1 END
"""


def record(target_id: int, collector: str, *, status: str, success: bool, at: dt.datetime, ms: float,
           rows: int | None = None, reason: str = "", hint: str = "") -> None:
    """Upsert the status row; ``success`` covers ``ok`` and ``partial`` (data was stored)."""
    with connection.cursor() as cur:
        cur.execute(UPSERT, {
            "target": target_id, "collector": collector, "status": status, "reason": reason, "hint": hint,
            "at": at, "success": success, "ms": ms, "rows": rows,
        })
