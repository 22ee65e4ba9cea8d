"""Chart registry: ``@chart("connections-by-state")`` makes a function servable at
``/t/<target>/charts/connections-by-state/`` (``name`` in ``{% chart %}``).

Charts are discovered, not listed: ``get`` and ``all_charts`` first import every module of the
``monitoring.charts`` package (``pkgutil``), so a new chart module needs no registration anywhere.

A chart function takes ``ChartRequest`` and returns a figure dict (see ``figures``). It may raise
``TargetError`` for live charts; the endpoint turns that into an error the page shows in the chart's
place, so one failing chart never breaks the page.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

import monitoring.charts
from dbconsole.timerange import TimeRange
from monitoring.models import Target


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


@functools.cache
def discover() -> tuple[str, ...]:
    """Import every module of the charts package (their ``@chart`` decorators register them), once;
    returns the module names."""
    names = [f"{monitoring.charts.__name__}.{m.name}" for m in pkgutil.iter_modules(monitoring.charts.__path__)]
    for name in names:
        importlib.import_module(name)
    return tuple(names)


def get(name: str) -> ChartSpec | None:
    discover()
    return CHARTS.get(name)


def all_charts() -> dict[str, ChartSpec]:
    discover()
    return dict(CHARTS)
