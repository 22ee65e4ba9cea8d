"""Markers from the history store's events: what explains a jump in a history chart.

Which events a chart marks is one of the sets of ``monitoring.events`` (``TARGET_CHARTS`` for the
target-wide charts, ``STATEMENT_CHARTS``, ``RELATION_CHARTS``, ``EVIDENCE_CHARTS``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitoring.charts.markers import apply_markers
from monitoring.events import TARGET_CHARTS, Marker, markers_of
from monitoring.history.selectors import events as event_selectors


def history_markers(target_id: int, start: dt.datetime, end: dt.datetime,
                    kinds: frozenset[str] = TARGET_CHARTS) -> list[Marker]:
    return markers_of(event_selectors.events(target_id, start, end), kinds)


def marked(figure: dict[str, Any], target_id: int, window: tuple[dt.datetime, dt.datetime],
           kinds: frozenset[str] = TARGET_CHARTS) -> dict[str, Any]:
    """``figure`` with the target's events of ``kinds`` inside ``window`` drawn on it (two queries)."""
    return apply_markers(figure, history_markers(target_id, *window, kinds), window=window)
