"""The data behind a figure as CSV: the chart's ``href`` fallback, and a way to take numbers away."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any


def figure_csv(figure: dict[str, Any]) -> str:
    """One row per point: series, x, y. Traces without x/y (shapes, text) are skipped."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["series", "x", "y"])
    for trace in figure.get("data", []):
        xs, ys = trace.get("x"), trace.get("y")
        if xs is None or ys is None:
            continue
        if trace.get("orientation") == "h":
            xs, ys = ys, xs  # horizontal bars: the category is on y
        for x, y in zip(xs, ys, strict=False):
            writer.writerow([trace.get("name", ""), _cell(x), _cell(y)])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)
