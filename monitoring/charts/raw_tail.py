"""Hourly and daily rollups only cover complete buckets (the rollup task runs every few minutes, and
never before an hour is over): a chart over a day or a week drawn from rollups alone would end an hour
or more ago, or be empty on a young target. ``with_raw_tail`` appends the raw points after the last
rolled-up one, so every chart reaches "now". Rates, ratios and averages read the same at either
resolution; per-bucket totals are drawn as bars as wide as their bucket. ``read_to_now`` does both:
the resolution the one policy picks, then the tail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from dbconsole.timerange import CHART, DAY, RAW, resolution


class _Point(Protocol):
    @property
    def at(self) -> dt.datetime: ...


P = TypeVar("P", bound=_Point)


def with_raw_tail(points: Sequence[P], res: str, start: dt.datetime, end: dt.datetime,
                  fetch_raw: Callable[[dt.datetime, dt.datetime], Sequence[P]]) -> list[P]:
    """``points`` read at ``res``, then (unless that is already raw) the raw points after the last one."""
    out = list(points)
    if res == "raw":
        return out
    after = out[-1].at if out else start
    if after >= end:
        return out
    return out + [p for p in fetch_raw(after, end) if p.at > after]


def read_to_now(fetch: Callable[[dt.datetime, dt.datetime, str], Sequence[P]], start: dt.datetime,
                end: dt.datetime, *, coarsest: str = DAY) -> list[P]:
    """``fetch(start, end, res)`` at the resolution the policy picks for a chart of this range
    (``dbconsole.timerange.resolution``), with the raw tail appended."""
    res = resolution(end - start, CHART, coarsest=coarsest)
    return with_raw_tail(fetch(start, end, res), res, start, end, lambda a, b: fetch(a, b, RAW))
