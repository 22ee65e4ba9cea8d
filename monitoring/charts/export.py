"""The data behind a figure as CSV: the chart's ``href`` fallback, and a way to take numbers away."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse

from dbconsole.csvexport import csv_response

HEADER = ("series", "x", "y")


def figure_rows(figure: dict[str, Any]) -> Iterator[tuple[Any, Any, Any]]:
    """One row per point: series, x, y. Traces without x/y (shapes, text) are skipped. The raw figure
    (before the plotly escaping of ``figure_json``): the CSV writer neutralises text its own way."""
    for trace in figure.get("data", []):
        xs, ys = trace.get("x"), trace.get("y")
        if xs is None or ys is None:
            continue
        if trace.get("orientation") == "h":
            xs, ys = ys, xs  # horizontal bars: the category is on y
        for x, y in zip(xs, ys, strict=False):
            yield trace.get("name", ""), x, y


def figure_csv_response(figure: dict[str, Any], filename: str) -> HttpResponse:
    return csv_response(filename, HEADER, figure_rows(figure))
