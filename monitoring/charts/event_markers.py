"""Markers from the history store's events: what explains a jump in a history chart.

The events selector names what happened (``restart``, ``statements_reset``, ``settings_changed``,
``lock_incident``…); the chart markers have four looks. Evictions from pg_stat_statements are left
out: they change which statements are tracked, not the totals a chart draws.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitoring.charts.markers import LOCK_INCIDENT, RESTART, SETTINGS_CHANGE, STATS_RESET, Marker, apply_markers
from monitoring.history.selectors import events as event_selectors

KINDS = {
    "restart": RESTART,
    "statements_reset": STATS_RESET,
    "statement_entries_reset": STATS_RESET,
    "database_stats_reset": STATS_RESET,
    "settings_changed": SETTINGS_CHANGE,
    event_selectors.LOCK_INCIDENT: LOCK_INCIDENT,
}


def history_markers(target_id: int, start: dt.datetime, end: dt.datetime) -> list[Marker]:
    return [Marker(at=a.at, kind=KINDS[a.kind], label=a.message)
            for a in event_selectors.events(target_id, start, end) if a.kind in KINDS]


def marked(figure: dict[str, Any], target_id: int, window: tuple[dt.datetime, dt.datetime]) -> dict[str, Any]:
    """``figure`` with the target's events inside ``window`` drawn on it (two queries)."""
    return apply_markers(figure, history_markers(target_id, *window), window=window)
