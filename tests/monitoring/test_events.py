"""The one mapping from what happened on a target to how a chart marks it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitoring import events
from monitoring.charts.markers import STYLES
from monitoring.events import Happening, Marker, markers_of
from monitoring.history.selectors.events import Annotation

T0 = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Seen:
    at: dt.datetime
    kind: str
    message: str


def test_it_maps_every_event_kind_to_a_marker_every_chart_can_draw() -> None:
    kinds = {v for k, v in vars(events).items() if k.isupper() and isinstance(v, str) and not k.startswith("MARK_")}
    assert kinds == set(events.MARK_OF)
    assert set(events.MARK_OF.values()) == set(events.MARK_NAMES) == set(STYLES)
    for family in (events.TARGET_CHARTS, events.STATEMENT_CHARTS, events.RELATION_CHARTS, events.EVIDENCE_CHARTS):
        assert family <= set(events.MARK_OF)


def test_it_marks_evictions_on_statement_charts_only_and_lock_incidents_on_target_charts_only() -> None:
    happened: list[Happening] = [Seen(T0, events.STATEMENTS_EVICTED, "120 entries evicted"),
                Annotation(T0 + dt.timedelta(minutes=5), events.LOCK_INCIDENT, "pid 4711 blocked 3", ref=7),
                Seen(T0 + dt.timedelta(minutes=9), events.DATABASE_STATS_RESET, "pg_stat_database reset")]
    assert [m.kind for m in markers_of(happened, events.STATEMENT_CHARTS)] == [events.MARK_STATS_RESET]
    assert [m.kind for m in markers_of(happened, events.TARGET_CHARTS)] == [events.MARK_LOCK_INCIDENT,
                                                                           events.MARK_STATS_RESET]
    assert [m.label for m in markers_of(happened, events.RELATION_CHARTS)] == ["pg_stat_database reset"]
    assert Marker.of(events.RESTART, T0, "PostgreSQL started").title == "server start: PostgreSQL started"
