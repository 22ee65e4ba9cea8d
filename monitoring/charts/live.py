"""Charts drawn from a live snapshot of the target (no history needed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from monitoring.charts.figures import STATE_COLORS, Limit, Series, bars, empty, time_series
from monitoring.charts.markers import apply_markers
from monitoring.charts.registry import ChartRequest, chart
from monitoring.live.connections import STATE_GROUPS, state_group, summarize
from monitoring.live.events import read_server_events
from monitoring.live.session import live_connection
from monitoring.pgstats.activity import read_activity
from monitoring.targets.connect import APPLICATION_NAME

TOP_DATABASES = 8


@chart("connections-by-state", title="Connections by state", live=True)
def connections_by_state(req: ChartRequest) -> dict[str, Any]:
    """All client connections, then each busiest database, stacked by state, against the usable slots."""
    with live_connection(req.target) as (conn, major):
        snapshot = read_activity(conn, major)
    summary = summarize(snapshot)
    per_db: dict[str, Counter[str]] = {}
    for b in snapshot.clients:
        if b.application_name == APPLICATION_NAME:
            continue  # the observer: see ConnectionsNow
        per_db.setdefault(b.datname or "(none)", Counter())[state_group(b.state)] += 1
    busiest = sorted(per_db, key=lambda name: (-sum(per_db[name].values()), name))[:TOP_DATABASES]
    categories = ["all databases", *busiest]
    series = [
        Series(name=group, x=categories,
               y=[summary.by_state[group], *(per_db[db][group] for db in busiest)],
               color=STATE_COLORS[group])
        for group in STATE_GROUPS
    ]
    return bars(categories, series, limit=Limit(summary.usable, "usable slots"))


@chart("sessions-by-start", title="Open sessions by start time", live=True)
def sessions_by_start(req: ChartRequest) -> dict[str, Any]:
    """When today's open sessions connected, stacked by their state now: pool churn, a reconnect storm
    after a restart, or a session that has been open for days all show up here."""
    with live_connection(req.target) as (conn, major):
        snapshot = read_activity(conn, major)
        events = read_server_events(conn)
    window = (req.time_range.start, req.time_range.end)
    bucket = req.time_range.bucket(points=90)
    counts: dict[str, Counter[dt.datetime]] = {group: Counter() for group in STATE_GROUPS}
    older = 0
    for b in snapshot.clients:
        if b.backend_start is None or b.application_name == APPLICATION_NAME:
            continue
        if b.backend_start < window[0]:
            older += 1
            continue
        counts[state_group(b.state)][_floor(b.backend_start, bucket)] += 1
    if not any(counts.values()):
        note = f" ({older} connected earlier)" if older else ""
        return empty(f"no session connected in this range{note}")
    series = []
    for group in STATE_GROUPS:
        if counts[group]:
            xs = sorted(counts[group])
            series.append(Series(name=group, x=xs, y=[counts[group][x] for x in xs], kind="bar",
                                 color=STATE_COLORS[group]))
    figure = time_series(series, window=window, stacked=True, y_title="sessions connected")
    for trace in figure["data"]:
        # Date-axis bars are as wide as the bucket they count (plotly would guess from the gaps).
        trace["width"] = bucket.total_seconds() * 1000 * 0.9
        trace["offset"] = 0
    if older:
        figure["layout"]["title"] = {"text": f"{older} more connected before this range", "x": 1,
                                     "xanchor": "right", "font": {"size": 11, "color": "#5d6678"}}
    return apply_markers(figure, events.markers(), window=window)


def _floor(moment: dt.datetime, bucket: dt.timedelta) -> dt.datetime:
    seconds = int(bucket.total_seconds())
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)
