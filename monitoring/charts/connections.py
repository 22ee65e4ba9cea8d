"""Connections over the time range, from the activity history, against ``max_connections``.

``?by=`` picks the breakdown: ``state`` (default), ``database``, ``user``, ``application`` or
``client``. Breakdowns other than state keep the busiest values and fold the rest into "others" so a
pool of a thousand client ports stays readable. Hourly points (ranges over 6 hours) are averages; the
hourly peak of all clients is drawn as a dotted line so a short spike does not vanish in an average.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest

from dbconsole import params
from dbconsole.timerange import HOUR
from monitoring.charts.event_markers import marked
from monitoring.charts.figures import STATE_COLORS, Limit, Series, empty, time_series
from monitoring.charts.raw_tail import read_to_now
from monitoring.charts.registry import ChartRequest, chart
from monitoring.history.selectors.activity import connection_series

BREAKDOWNS = {"state": "state", "database": "database", "user": "user", "application": "application",
              "client": "client"}
STATE_SERIES = (
    ("active", "active", STATE_COLORS["active"]),
    ("idle", "idle", STATE_COLORS["idle"]),
    ("idle_in_transaction", "idle in transaction", STATE_COLORS["idle in transaction"]),
    ("idle_in_transaction_aborted", "idle in transaction (aborted)", "#b3261e"),
    ("other_state", "other", STATE_COLORS["other"]),
)
TOP_VALUES = 8
BY = params.Choice("by", default="state", choices=tuple(BREAKDOWNS), soft=True)


def breakdown_of(request: HttpRequest) -> str:
    return BY.get(request)


@chart("connections-history", title="Connections over time")
def connections_history(req: ChartRequest) -> dict[str, Any]:
    by = breakdown_of(req.request)
    window = (req.time_range.start, req.time_range.end)
    points = read_to_now(lambda a, b, res: connection_series(req.target.pk, a, b, by=by, res=res), *window,
                         coarsest=HOUR)
    if not points:
        return marked(empty("no activity history in this range (activity collector, every 10 s)"),
                      req.target.pk, window)
    xs = [p.at for p in points]
    series: list[Series] = []
    if by == "state":
        for key, label, color in STATE_SERIES:
            values = [p.counts.get(key) for p in points]
            if any(values):
                series.append(Series(label, xs, [round(v or 0, 2) for v in values], color=color))
    else:
        totals: dict[str, float] = defaultdict(float)
        for p in points:
            for value, count in p.counts.items():
                totals[value] += count
        top = sorted(totals, key=lambda v: (-totals[v], v))[:TOP_VALUES]
        for value in top:
            series.append(Series(value or "(empty)", xs, [round(p.counts.get(value, 0), 2) for p in points]))
        if len(totals) > len(top):
            series.append(Series("others", xs, [round(sum(c for v, c in p.counts.items() if v not in top), 2)
                                                for p in points], color="#9aa3b5"))
    if not series:
        series.append(Series("clients", xs, [p.clients for p in points]))
    figure = time_series(series, window=window, stacked=True, y_title="connections",
                         limit=Limit(points[-1].max_connections, "max_connections"))
    if by == "state" and any(p.peak for p in points):
        figure["data"].append({"type": "scatter", "mode": "lines", "name": "peak (hourly max)", "x": xs,
                               "y": [p.peak.get("clients") for p in points],
                               "line": {"color": "#1d2330", "width": 1, "dash": "dot"}})
    # The limit stays in view even when usage is far below it: that distance is the message.
    figure["layout"]["yaxis"]["range"] = [0, points[-1].max_connections * 1.05]
    return marked(figure, req.target.pk, window)
