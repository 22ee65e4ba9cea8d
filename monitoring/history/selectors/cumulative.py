"""The first statements collection's cumulative sample, where a range includes it.

A target added after its workload ran has weeks of evidence in pg_stat_statements. Its first
statements collection stores those cumulative counters as one sample covering "since the stats reset"
(``monitoring.history.statements``, event ``statements_cumulative``); deltas follow from the second
collection. Totals over a range that includes that sample are therefore not "in this range" for the
statements it holds, but since the stats reset: pages and the advisor say so.

``cumulative_in(target_id, start, end)`` → ``Cumulative | None``: when that sample was taken, since
when it counts, and the statements it holds (by ``seq``). ``CUMULATIVE_EVENT_SQL`` finds the event
inside another query (the queries page folds it into one it makes anyway); ``cumulative_of(event_id)``
reads the rest — only when the range includes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitoring.models import Event, Statement
from monitoring.models import events as ev


@dataclass(frozen=True)
class Cumulative:
    at: dt.datetime          # the first collection
    since: dt.datetime       # what its counters cover: since the stats reset (or the server start)
    since_what: str          # "the stats reset" or "the server start"
    seqs: frozenset[int]     # the statements whose totals include it

    @property
    def label(self) -> str:
        return f"since {self.since_what} ({self.since:%Y-%m-%d %H:%M} UTC)"


# A scalar subquery: the id of the first collection's event within [%(start)s, %(end)s], or NULL.
CUMULATIVE_EVENT_SQL = (
    f"(SELECT e.id FROM {Event._meta.db_table} AS e WHERE e.target_id = %(target)s "
    f"AND e.kind = '{ev.STATEMENTS_CUMULATIVE}' AND e.at >= %(start)s AND e.at <= %(end)s ORDER BY e.at DESC LIMIT 1)"
)


def cumulative_in(target_id: int, start: dt.datetime, end: dt.datetime) -> Cumulative | None:
    event = (Event.objects.filter(target_id=target_id, kind=ev.STATEMENTS_CUMULATIVE, at__gte=start, at__lte=end)
             .order_by("-at").first())
    return _of(event) if event is not None else None


def cumulative_of(event_id: int | None) -> Cumulative | None:
    event = Event.objects.filter(pk=event_id).first() if event_id is not None else None
    return _of(event) if event is not None else None


def _of(event: Event) -> Cumulative:
    target_id = event.target_id
    try:
        since = dt.datetime.fromisoformat(str(event.detail.get("since")))
    except ValueError:
        since = event.at
    seqs = frozenset(Statement.objects.filter(target_id=target_id, first_seen__lte=event.at)
                     .values_list("seq", flat=True))
    return Cumulative(at=event.at, since=since, since_what=str(event.detail.get("since_what") or "the stats reset"),
                      seqs=seqs)
