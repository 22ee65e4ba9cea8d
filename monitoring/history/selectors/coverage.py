"""How far back a target's history goes: where charts of a young target start (``TimeRange.since``).

* ``history_start(target_id)`` → the moment of the target's oldest sample, or None before its first
  collection.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from monitoring.history import SQL


def history_start(target_id: int) -> dt.datetime | None:
    with connection.cursor() as cur:
        cur.execute(SQL.load("coverage/history_start"), {"target": target_id})
        row = cur.fetchone()
    return row[0] if row else None
