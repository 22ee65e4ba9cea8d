"""The overview's key charts over the time range, from the history store, each with the target's events
(stats resets, restarts, settings changes, lock incidents) marked.

Per-bucket values are what happened in the bucket ending at x (counters are reset-aware differences);
bars are drawn as wide as their bucket so uneven buckets (a missed collection) read correctly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from monitoring.charts.event_markers import marked
from monitoring.charts.figures import Series, empty, time_series
from monitoring.charts.raw_tail import read_to_now
from monitoring.charts.registry import ChartRequest, chart
from monitoring.history.selectors.database import DatabasePoint, database_series
from monitoring.history.selectors.statements import WorkloadPoint, workload_series

NO_STATEMENTS = ("no statement history in this range yet: counts are differences of two collections "
                 "(statements collector, every minute)")
NO_DATABASE = ("no database history in this range yet: rates are differences of two samples "
               "(database collector, every 5 minutes)")


def _window(req: ChartRequest) -> tuple[dt.datetime, dt.datetime]:
    return req.time_range.start, req.time_range.end


def as_buckets(figure: dict[str, Any], seconds: Sequence[float]) -> dict[str, Any]:
    """Bars ending at their x and as wide as their bucket (plotly would guess from the gaps)."""
    widths = [s * 1000 * 0.9 for s in seconds]
    for trace in figure["data"]:
        if trace.get("type") == "bar":
            trace["width"] = widths
            trace["offset"] = [-w for w in widths]
    return figure


def database_points(target_id: int, start: dt.datetime, end: dt.datetime) -> list[DatabasePoint]:
    return read_to_now(lambda a, b, res: database_series(target_id, a, b, res=res), start, end)


def workload_points(target_id: int, start: dt.datetime, end: dt.datetime) -> list[WorkloadPoint]:
    return read_to_now(lambda a, b, res: workload_series(target_id, a, b, res=res), start, end)


def byte_unit(largest: float) -> tuple[str, int]:
    """The 1024-based unit the page's tables use (``filesizeformat``), picked for the largest value."""
    for name, power in (("TB", 4), ("GB", 3), ("MB", 2), ("KB", 1)):
        if largest >= 1024**power:
            return name, 1024**power
    return "bytes", 1


def _database(req: ChartRequest) -> list[DatabasePoint]:
    return database_points(req.target.pk, *_window(req))


@chart("overview-calls", title="Calls per second")
def calls(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = workload_points(req.target.pk, *window)
    if not points:
        return marked(empty(NO_STATEMENTS), req.target.pk, window)
    figure = time_series([Series("calls/s", [p.at for p in points], [round(p.calls_per_s, 3) for p in points],
                                 kind="area")], window=window, y_title="calls/s")
    return marked(figure, req.target.pk, window)


@chart("overview-latency", title="Mean latency")
def latency(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = workload_points(req.target.pk, *window)
    if not points:
        return marked(empty(NO_STATEMENTS), req.target.pk, window)
    # A bucket without calls has no mean: a gap says so, a zero would claim a fast system.
    figure = time_series([Series("mean ms per call", [p.at for p in points],
                                 [round(p.mean_ms, 3) if p.calls else None for p in points], color="#b36b00")],
                         window=window, y_title="ms")
    return marked(figure, req.target.pk, window)


@chart("overview-cache-hit", title="Cache hit ratio")
def cache_hit(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = _database(req)
    if not points:
        return marked(empty(NO_DATABASE), req.target.pk, window)
    values = [round(p.cache_hit_ratio * 100, 3) if p.cache_hit_ratio is not None else None for p in points]
    figure = time_series([Series("blocks found in shared buffers", [p.at for p in points], values,
                                 color="#1d7f46")], window=window, y_title="%")
    low = min((v for v in values if v is not None), default=90.0)
    figure["layout"]["yaxis"].update(rangemode="normal", range=[min(low, 90.0) - 1, 100.5], ticksuffix="%")
    return marked(figure, req.target.pk, window)


@chart("overview-size", title="Database size")
def size(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = [p for p in _database(req) if p.size_bytes is not None]
    if not points:
        return marked(empty(NO_DATABASE), req.target.pk, window)
    unit, scale = byte_unit(max(p.size_bytes or 0 for p in points))
    values = [round((p.size_bytes or 0) / scale, 3) for p in points]
    figure = time_series([Series("size", [p.at for p in points], values, color="#0e7490",
                                 hover=[f"{p.size_bytes:,} bytes" for p in points])], window=window, y_title=unit)
    return marked(figure, req.target.pk, window)


@chart("overview-temp", title="Temporary files written")
def temp_bytes(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = _database(req)
    if not points:
        return marked(empty(NO_DATABASE), req.target.pk, window)
    unit, scale = byte_unit(max(p.temp_bytes for p in points))
    figure = time_series([Series("temp bytes", [p.at for p in points], [round(p.temp_bytes / scale, 3) for p in points],
                                 kind="bar", color="#8a5cc2",
                                 hover=[f"{p.temp_bytes:,} bytes in {p.temp_files} file(s)" for p in points])],
                         window=window, y_title=f"{unit} per bucket")
    return marked(as_buckets(figure, [p.seconds for p in points]), req.target.pk, window)


@chart("overview-deadlocks", title="Deadlocks")
def deadlocks(req: ChartRequest) -> dict[str, Any]:
    window = _window(req)
    points = _database(req)
    if not points:
        return marked(empty(NO_DATABASE), req.target.pk, window)
    figure = time_series([Series("deadlocks", [p.at for p in points], [p.deadlocks for p in points], kind="bar",
                                 color="#b3261e")], window=window, y_title="per bucket")
    if max(p.deadlocks for p in points) < 5:
        figure["layout"]["yaxis"]["dtick"] = 1   # whole deadlocks, not 0.5 steps
    return marked(as_buckets(figure, [p.seconds for p in points]), req.target.pk, window)
