"""Charts of one statement (``?seq=``) over the time range, from the history store.

Values are per bucket — one collection interval up to 6 hours, an hour up to 14 days, a day beyond
(``dbconsole.timerange.resolution`` picks) — and the y-axis says which. Restarts, statistics resets and evictions
are marked: a statement's counters start again from zero there, so a dip is not a change in the
workload. Settings changes are marked too: they explain a latency that moves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404

from dbconsole import params
from dbconsole.timerange import CHART, resolution
from monitoring.charts.event_markers import marked
from monitoring.charts.figures import Series, empty, time_series
from monitoring.charts.registry import ChartRequest, chart
from monitoring.events import STATEMENT_CHARTS
from monitoring.history.selectors import statements as stmt

# (chart name, title): the detail page lays them out in this order.
DETAIL_CHARTS = (
    ("statement-calls", "Calls"),
    ("statement-time", "Mean and total time"),
    ("statement-rows", "Rows"),
    ("statement-io", "I/O"),
)
PER = {"raw": "per collection", "hour": "per hour", "day": "per day"}
STATEMENT = params.Int("seq", default=0, minimum=1, required=True)   # required: the default is never used


Window = tuple[dt.datetime, dt.datetime]


def _points(req: ChartRequest, *counters: str) -> tuple[list[stmt.StatementPoint], Window, str]:
    """The statement named by ``?seq=`` (404 unless it is this target's) and its series of ``counters``
    (each one read is a whole array per hourly row: a chart reads what it draws, nothing more)."""
    found = stmt.statement(req.target.pk, STATEMENT.get(req.request))
    if found is None:
        raise Http404("no such statement on this target")
    window = (req.time_range.start, req.time_range.end)
    res = resolution(req.time_range, CHART)
    return stmt.statement_series(req.target.pk, found.seq, *window, res=res, counters=counters), window, res


def _finish(req: ChartRequest, figure: dict[str, Any], window: Window) -> dict[str, Any]:
    return marked(figure, req.target.pk, window, STATEMENT_CHARTS)


def _bars_fill_buckets(figure: dict[str, Any], points: list[stmt.StatementPoint]) -> None:
    """A bar spans its bucket, which ends at the point's time (plotly would centre and guess widths)."""
    widths = [p.seconds * 1000 * 0.9 for p in points]
    for trace in figure["data"]:
        if trace.get("type") == "bar":
            trace["width"] = widths
            trace["offset"] = [-p.seconds * 1000 for p in points]


def _mark_sparse(figure: dict[str, Any]) -> None:
    """Dots on lines with few values (a statement that ran twice this week): a lone point has no line."""
    for trace in figure["data"]:
        if trace.get("mode") == "lines" and sum(1 for y in trace.get("y", []) if y) < 24:
            trace["mode"] = "lines+markers"
            trace["marker"] = {"size": 5, "color": trace.get("line", {}).get("color")}


def _second_axis(figure: dict[str, Any], title: str, names: set[str]) -> None:
    """Put the traces in ``names`` on a right-hand axis (time next to counts, say)."""
    for trace in figure["data"]:
        if trace.get("name") in names:
            trace["yaxis"] = "y2"
    figure["layout"]["yaxis2"] = {"title": {"text": title}, "overlaying": "y", "side": "right",
                                  "rangemode": "tozero", "showgrid": False, "zeroline": False}
    figure["layout"]["margin"]["r"] = 56


NOTHING = "no samples in this range: deltas need two collections, and this statement may not have run"


@chart("statement-calls", title="Calls")
def statement_calls(req: ChartRequest) -> dict[str, Any]:
    points, window, res = _points(req, "calls")
    if not points:
        return empty(NOTHING)
    x = [p.at for p in points]
    figure = time_series([Series("calls", x, [p.calls for p in points], kind="bar")], window=window,
                         y_title=f"calls {PER[res]}")
    _bars_fill_buckets(figure, points)
    return _finish(req, figure, window)


@chart("statement-time", title="Mean and total time")
def statement_time(req: ChartRequest) -> dict[str, Any]:
    points, window, res = _points(req, "calls", "exec_us", "plan_us")
    if not points:
        return empty(NOTHING)
    x = [p.at for p in points]
    # No calls in a bucket: no mean (a gap), rather than a misleading zero.
    means = [round(p.mean_ms, 3) if p.calls else None for p in points]
    totals = [round(p.exec_ms + p.plan_ms, 3) for p in points]
    figure = time_series([
        Series("total time (ms)", x, totals, kind="bar", color="#9db4e6"),
        Series("mean time (ms)", x, means, color="#b3261e"),
    ], window=window, y_title=f"total ms {PER[res]}")
    _bars_fill_buckets(figure, points)
    _mark_sparse(figure)
    _second_axis(figure, "mean ms per call", {"mean time (ms)"})
    return _finish(req, figure, window)


@chart("statement-rows", title="Rows")
def statement_rows(req: ChartRequest) -> dict[str, Any]:
    points, window, res = _points(req, "calls", "rows")
    if not points:
        return empty(NOTHING)
    x = [p.at for p in points]
    per_call = [round(p.rows / p.calls, 3) if p.calls else None for p in points]
    figure = time_series([
        Series("rows", x, [p.rows for p in points], kind="bar", color="#1d7f46"),
        Series("rows per call", x, per_call, color="#6b7280"),
    ], window=window, y_title=f"rows {PER[res]}")
    _bars_fill_buckets(figure, points)
    _mark_sparse(figure)
    _second_axis(figure, "rows per call", {"rows per call"})
    return _finish(req, figure, window)


@chart("statement-io", title="I/O")
def statement_io(req: ChartRequest) -> dict[str, Any]:
    points, window, res = _points(req, "shared_blks_read", "shared_blks_hit", "temp_blks_read", "temp_blks_written",
                                  "shared_read_us", "shared_write_us")
    if not points:
        return empty(NOTHING)
    x = [p.at for p in points]
    figure = time_series([
        Series("shared blocks read", x, [p.shared_blks_read for p in points], color="#b3261e"),
        Series("shared blocks hit", x, [p.shared_blks_hit for p in points], color="#2458c6"),
        Series("temp blocks", x, [p.temp_blks_read + p.temp_blks_written for p in points], color="#b36b00"),
        Series("I/O time (ms)", x, [round(p.io_read_ms + p.io_write_ms, 3) for p in points], color="#6b7280"),
    ], window=window, y_title=f"blocks {PER[res]}")
    _mark_sparse(figure)
    _second_axis(figure, "I/O time ms", {"I/O time (ms)"})
    return _finish(req, figure, window)
