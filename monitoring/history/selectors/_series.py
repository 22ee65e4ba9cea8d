"""Helpers shared by the selectors of row-per-sample families (database, replication)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

SOURCES = {"raw": "_raw", "hour": "_hour", "day": "_day"}
JSON_COLUMNS = ("io", "replicas", "slots", "receiver", "by_database", "by_user", "by_application", "by_client",
                "by_wait_event")


def rows(family: str, res: str, target_id: int, start: dt.datetime, end: dt.datetime,
         columns: Sequence[str]) -> list[dict[str, Any]]:
    """Samples of ``monitoring_<family>_<res>`` in [start, end] plus the one just before ``start``
    (so the first bucket has something to be compared with), oldest first."""
    table = f"monitoring_{family}{SOURCES[res]}"
    cols = ", ".join(("captured_at", *columns))
    with connection.cursor() as cur:
        cur.execute(
            f"(SELECT {cols} FROM {table} WHERE target_id = %(t)s AND captured_at < %(start)s "
            f"ORDER BY captured_at DESC LIMIT 1) UNION ALL "
            f"(SELECT {cols} FROM {table} WHERE target_id = %(t)s AND captured_at >= %(start)s "
            f"AND captured_at <= %(end)s) ORDER BY 1",
            {"t": target_id, "start": start, "end": end},
        )
        names = ["captured_at", *columns]
        return [decode_row(dict(zip(names, row, strict=True)), JSON_COLUMNS) for row in cur.fetchall()]


def decoded(value: Any) -> Any:
    """A jsonb value read through Django's cursor (which leaves JSON undecoded, for JSONField)."""
    return json.loads(value) if isinstance(value, str) else value


def decode_row(row: dict[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    for column in columns:
        if column in row:
            row[column] = decoded(row[column])
    return row


def delta(current: int | float | None, previous: int | float | None) -> int | float:
    """Growth of a cumulative counter, never negative: after a reset the counter restarted from 0."""
    if current is None:
        return 0
    if previous is None or current < previous:
        return current
    return current - previous
