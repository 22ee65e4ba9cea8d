"""What happens on a target that explains a jump in a time chart, and the one mapping to chart markers.

A counter that drops to zero after a statistics reset or a restart, a latency that moves after a
settings change, a spike during a lock incident. Three vocabularies meet here, each defined once:

* event kinds — what the history store records (``monitoring.models.Event.kind``) plus
  ``LOCK_INCIDENT``, which the events selector merges in from ``LockIncident`` rows;
* marker kinds (``MARK_*``) — the four looks a chart gives them (colours and tags: ``charts.markers``);
* ``MARK_OF`` — event kind → marker kind, and the sets of event kinds each family of chart marks.

Plain Python with no Django and nothing of ours, at the bottom of ``monitoring``: the live readers
(the server's start time and last statistics reset, read from the target), the history selectors and
the charts all import it; nothing here imports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

# -- event kinds ----------------------------------------------------------------------------------------

STATEMENTS_RESET = "statements_reset"                # pg_stat_statements_reset() for everything
STATEMENTS_EVICTED = "statements_evicted"            # pg_stat_statements dropped its least-used entries
STATEMENT_ENTRIES_RESET = "statement_entries_reset"  # some entries reset (by user, database or queryid)
RESTART = "restart"
DATABASE_STATS_RESET = "database_stats_reset"        # pg_stat_database's stats_reset moved
SETTINGS_CHANGED = "settings_changed"
# The first statements collection of a target stored pg_stat_statements' cumulative counters (since its
# stats reset) as one sample, so the workload it already ran is evidence at once; deltas follow.
STATEMENTS_CUMULATIVE = "statements_cumulative"
LOCK_INCIDENT = "lock_incident"                      # a LockIncident row, not an Event row
# Written by the alerts app (above monitoring) when one of its alerts starts firing or resolves, so the
# target's charts mark them like any other event without importing alerts. ``detail`` holds the alert's
# rule, fingerprint, severity and id; ``message`` its summary.
ALERT_FIRING = "alert_firing"
ALERT_RESOLVED = "alert_resolved"

# -- marker kinds -----------------------------------------------------------------------------------------

MARK_STATS_RESET = "stats_reset"
MARK_RESTART = "restart"
MARK_SETTINGS_CHANGE = "settings_change"
MARK_LOCK_INCIDENT = "lock_incident"
MARK_HISTORY_START = "history_start"
MARK_ALERT_FIRING = "alert_firing"
MARK_ALERT_RESOLVED = "alert_resolved"
MARK_NAMES: dict[str, str] = {
    MARK_STATS_RESET: "stats reset",
    MARK_RESTART: "server start",
    MARK_SETTINGS_CHANGE: "settings change",
    MARK_LOCK_INCIDENT: "lock incident",
    MARK_HISTORY_START: "history starts (counters since stats reset)",
    MARK_ALERT_FIRING: "alert firing",
    MARK_ALERT_RESOLVED: "alert resolved",
}

MARK_OF: dict[str, str] = {
    RESTART: MARK_RESTART,
    STATEMENTS_RESET: MARK_STATS_RESET,
    STATEMENT_ENTRIES_RESET: MARK_STATS_RESET,
    STATEMENTS_EVICTED: MARK_STATS_RESET,
    DATABASE_STATS_RESET: MARK_STATS_RESET,
    SETTINGS_CHANGED: MARK_SETTINGS_CHANGE,
    STATEMENTS_CUMULATIVE: MARK_HISTORY_START,
    LOCK_INCIDENT: MARK_LOCK_INCIDENT,
    ALERT_FIRING: MARK_ALERT_FIRING,
    ALERT_RESOLVED: MARK_ALERT_RESOLVED,
}

# Which events each family of chart marks. Target-wide history charts (overview, connections,
# maintenance) leave evictions out: they change which statements are tracked, not the totals drawn.
# The first collection's cumulative sample is marked where statement totals are drawn: it explains the
# one tall bucket at the start of a new target's history.
TARGET_CHARTS = frozenset({RESTART, STATEMENTS_RESET, STATEMENT_ENTRIES_RESET, DATABASE_STATS_RESET,
                           SETTINGS_CHANGED, LOCK_INCIDENT, STATEMENTS_CUMULATIVE, ALERT_FIRING,
                           ALERT_RESOLVED})
# One statement's counters start again from zero at any pg_stat_statements reset or eviction.
STATEMENT_CHARTS = frozenset({RESTART, STATEMENTS_RESET, STATEMENT_ENTRIES_RESET, STATEMENTS_EVICTED,
                              SETTINGS_CHANGED, STATEMENTS_CUMULATIVE})
# Tables, indexes and replication (sizes, scans, lag): lock incidents say nothing about them.
RELATION_CHARTS = frozenset({RESTART, DATABASE_STATS_RESET, STATEMENTS_RESET, SETTINGS_CHANGED})
# An advisor recommendation's evidence: only where counters started again from zero.
EVIDENCE_CHARTS = frozenset({RESTART, DATABASE_STATS_RESET, STATEMENTS_RESET})


class Happening(Protocol):
    """Anything with a time, an event kind and a message (the events selector's ``Annotation``)."""

    @property
    def at(self) -> dt.datetime: ...

    @property
    def kind(self) -> str: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class Marker:
    """A vertical line on a time chart; ``kind`` is a marker kind (``MARK_*``)."""

    at: dt.datetime
    kind: str
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in MARK_NAMES:
            raise ValueError(f"unknown marker kind {self.kind!r}")

    @classmethod
    def of(cls, event_kind: str, at: dt.datetime, label: str = "") -> Marker:
        """The marker of an event of ``event_kind``."""
        return cls(at=at, kind=MARK_OF[event_kind], label=label)

    @property
    def title(self) -> str:
        name = MARK_NAMES[self.kind]
        return f"{name}: {self.label}" if self.label else name


def markers_of(happenings: Iterable[Happening], marked: frozenset[str]) -> list[Marker]:
    """Markers for the happenings whose kind is in ``marked`` (one of the ``*_CHARTS`` sets)."""
    return [Marker.of(h.kind, h.at, h.message) for h in happenings if h.kind in marked]
