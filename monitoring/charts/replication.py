"""Replication charts from the history store: replica lag, and WAL held back by replication slots."""

from __future__ import annotations

from typing import Any

from dbconsole.timerange import HOUR
from monitoring.charts.event_markers import marked
from monitoring.charts.figures import PALETTE, Series, empty, time_series
from monitoring.charts.raw_tail import read_to_now
from monitoring.charts.registry import ChartRequest, chart
from monitoring.events import RELATION_CHARTS
from monitoring.history.selectors.replication import replication_series


@chart("replication-lag", title="Replication lag (the replica furthest behind)")
def replication_lag(req: ChartRequest) -> dict[str, Any]:
    """Replay lag in bytes (left axis) and seconds (right axis); on a standby, its own replay delay."""
    window = (req.time_range.start, req.time_range.end)
    points = read_to_now(lambda a, b, res: replication_series(req.target.pk, a, b, res=res), *window,
                         coarsest=HOUR)
    lagging = [p for p in points if p.max_replay_lag_bytes is not None or p.max_replay_lag_seconds is not None]
    if not lagging:
        return empty("no replica was connected in this range, so there is no lag to draw"
                     if points else "no replication sample in this range yet")
    x = [p.at for p in points]
    figure = time_series([
        Series("replay lag (bytes)", x, [p.max_replay_lag_bytes for p in points]),
        Series("replay lag (seconds)", x, [p.max_replay_lag_seconds for p in points], color=PALETTE[2]),
    ], window=window, y_title="bytes behind")
    figure["data"][1]["yaxis"] = "y2"
    figure["layout"]["yaxis"]["tickformat"] = "~s"
    figure["layout"]["yaxis2"] = {"title": {"text": "seconds"}, "overlaying": "y", "side": "right",
                                  "rangemode": "tozero", "showgrid": False, "zeroline": False}
    figure["layout"]["margin"]["r"] = 48
    return marked(figure, req.target.pk, window, RELATION_CHARTS)


@chart("replication-retained-wal", title="WAL retained by replication slots")
def retained_wal(req: ChartRequest) -> dict[str, Any]:
    """What the slots keep from being removed (bytes), with the inactive slots counted alongside."""
    window = (req.time_range.start, req.time_range.end)
    points = read_to_now(lambda a, b, res: replication_series(req.target.pk, a, b, res=res), *window,
                         coarsest=HOUR)
    if not points:
        return empty("no replication sample in this range yet")
    if not any(p.retained_bytes or p.inactive_slots for p in points):
        return empty("no replication slot retained WAL in this range")
    x = [p.at for p in points]
    figure = time_series([
        Series("retained WAL (bytes)", x, [p.retained_bytes for p in points], kind="area"),
        Series("inactive slots", x, [p.inactive_slots for p in points], color=PALETTE[5]),
    ], window=window, y_title="bytes")
    figure["data"][1]["yaxis"] = "y2"
    figure["layout"]["yaxis"]["tickformat"] = "~s"
    figure["layout"]["yaxis2"] = {"title": {"text": "inactive slots"}, "overlaying": "y", "side": "right",
                                  "rangemode": "tozero", "showgrid": False, "zeroline": False, "dtick": 1}
    figure["layout"]["margin"]["r"] = 48
    return marked(figure, req.target.pk, window, RELATION_CHARTS)
