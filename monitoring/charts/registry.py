"""Chart registry: ``@chart("connections-by-state")`` makes a function servable at
``/t/<target>/charts/connections-by-state/`` (``name`` in ``{% chart %}``).

A chart function takes ``ChartRequest`` and returns a figure dict (see ``figures``). It may raise
``TargetError`` for live charts; the endpoint turns that into an error the page shows in the chart's
place, so one failing chart never breaks the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from monitoring.models import Target
from monitoring.ui.timerange import TimeRange


@dataclass(frozen=True)
class ChartRequest:
    request: HttpRequest
    target: Target
    time_range: TimeRange


ChartFunction = Callable[[ChartRequest], dict[str, Any]]


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: str
    function: ChartFunction
    live: bool  # reads the target, not the history store


CHARTS: dict[str, ChartSpec] = {}


def chart(name: str, *, title: str, live: bool = False) -> Callable[[ChartFunction], ChartFunction]:
    def register(function: ChartFunction) -> ChartFunction:
        if name in CHARTS:
            raise ValueError(f"two charts named {name!r}")
        CHARTS[name] = ChartSpec(name=name, title=title, function=function, live=live)
        return function

    return register


def get(name: str) -> ChartSpec | None:
    return CHARTS.get(name)
