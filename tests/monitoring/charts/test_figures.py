"""The figure layer never hands plotly.js something it draws as ``NaN``: event markers on an empty
chart get a time axis, and the serialiser drops what no axis can place (the browser test proves the
console stays clean; these say what the figures look like)."""

from __future__ import annotations

import datetime as dt
import json

from monitoring.charts.figures import Limit, Series, bars, drawable, empty, time_series
from monitoring.charts.markers import apply_markers
from monitoring.charts.response import figure_json
from monitoring.events import MARK_LOCK_INCIDENT, Marker

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
WINDOW = (T0, T0 + dt.timedelta(hours=1))
INCIDENT = Marker(kind=MARK_LOCK_INCIDENT, at=T0 + dt.timedelta(minutes=30), label="orders")


def _marker(at: dt.datetime, xref: str = "x") -> dict[str, object]:
    return {"type": "line", "xref": xref, "yref": "paper", "x0": at, "x1": at, "y0": 0, "y1": 1}


def test_it_gives_an_empty_chart_a_time_axis_for_its_markers() -> None:
    figure = apply_markers(empty("no statement history in this range"), [INCIDENT], window=WINDOW)
    axis = figure["layout"]["xaxis"]
    assert (axis["type"], axis["range"], axis["visible"]) == ("date", [WINDOW[0], WINDOW[1]], True)
    assert [s["name"] for s in figure["layout"]["shapes"]] == [MARK_LOCK_INCIDENT]
    sent = json.loads(figure_json(figure))
    assert len(sent["layout"]["shapes"]) == 1 and [a["text"] for a in sent["layout"]["annotations"]] == [
        "no statement history in this range", "L"]
    with_window = empty("nothing", window=WINDOW)["layout"]["xaxis"]
    assert with_window["type"] == "date" and with_window["range"] == [WINDOW[0], WINDOW[1]]


def test_it_drops_what_no_axis_can_place() -> None:
    figure = empty("nothing yet")
    figure["layout"]["shapes"] = [_marker(INCIDENT.at), _marker(INCIDENT.at, xref="paper")]
    figure["layout"]["annotations"].append({"x": INCIDENT.at, "xref": "x", "y": 1, "yref": "paper", "text": "L"})
    figure["layout"]["annotations"].append({"x": 0.5, "y": 5, "yref": "y2", "text": "on a second axis"})
    drawable(figure)
    assert [s["xref"] for s in figure["layout"]["shapes"]] == ["paper"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["nothing yet"]
    # Empty traces place nothing either; a time on the axis (even with no value above it), or a typed
    # axis with a range, does.
    hollow = {"data": [{"x": [], "y": []}, {"x": [None], "y": [2]}], "layout": {"shapes": [_marker(T0)]}}
    assert drawable(hollow)["layout"]["shapes"] == []
    one = {"data": [{"x": [T0], "y": [None]}], "layout": {"shapes": [_marker(T0)]}}
    assert len(drawable(one)["layout"]["shapes"]) == 1
    pinned = {"data": [], "layout": {"xaxis": {"type": "date", "range": list(WINDOW)}, "shapes": [_marker(T0)]}}
    assert len(drawable(pinned)["layout"]["shapes"]) == 1
    zero = {"data": [], "layout": {"xaxis": {"type": "date", "range": [T0, T0]}, "shapes": [_marker(T0)]}}
    assert drawable(zero)["layout"]["shapes"] == []
    assert drawable({"error": {"status": "timeout"}}) == {"error": {"status": "timeout"}}


def test_it_keeps_charts_with_data_as_they_were_built() -> None:
    figure = time_series([Series("calls/s", [T0, T0 + dt.timedelta(minutes=1)], [None, None])], window=WINDOW)
    apply_markers(figure, [INCIDENT], window=WINDOW)
    assert len(drawable(figure)["layout"]["shapes"]) == 1   # a pinned time axis places it
    capped = bars(["a"], [Series("used", [], [0])], limit=Limit(0, "max"))
    assert capped["layout"]["xaxis"]["range"] == [0, 1]      # a limit of 0 still leaves an axis to draw on
    assert len(drawable(capped)["layout"]["shapes"]) == 1


def test_it_puts_a_dot_on_a_line_that_has_no_segment_to_draw() -> None:
    one = time_series([Series("connections", [T0], [4]), Series("idle", [T0, T0], [None, None])], window=WINDOW)
    gaps = time_series([Series("mean ms", [T0, T0, T0], [1.5, None, 2.0]), Series("calls", [T0, T0], [1, 2])],
                       window=WINDOW)
    drawable(one)
    drawable(gaps)
    assert [t["mode"] for t in one["data"]] == ["lines+markers", "lines"]   # nothing at all: no dot either
    assert one["data"][0]["marker"]["color"] == one["data"][0]["line"]["color"]
    assert [t["mode"] for t in gaps["data"]] == ["lines+markers", "lines"]
    bars_only = time_series([Series("calls", [T0], [3], kind="bar")], window=WINDOW)
    assert "mode" not in drawable(bars_only)["data"][0]
