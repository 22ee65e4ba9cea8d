"""Sequences: the latest snapshot, most used first.

* ``sequences_latest(target_id)`` → ``(captured_at, list[dict])`` — each dict: schema, name,
  ``column`` (``schema.table.column`` it feeds, or empty), ``column_type``, ``last_value``,
  ``max_value`` (the tighter of the column type and the sequence maximum), ``percent_used`` (0 to 100,
  None when unreadable or unused), ``readable``, ``skipped_locked``. ``(None, [])`` without data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitoring.models import SequenceSnapshot


def sequences_latest(target_id: int) -> tuple[dt.datetime | None, list[dict[str, Any]]]:
    snap = SequenceSnapshot.objects.filter(target_id=target_id).order_by("-captured_at").first()
    if snap is None:
        return None, []
    return snap.captured_at, sorted(snap.sequences, key=lambda s: -(s.get("percent_used") or -1))
