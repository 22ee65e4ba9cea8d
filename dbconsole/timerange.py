"""The time range every history view reads from its URL (so each view is a shareable permalink), and
the one policy that decides from which resolution of the history store a range is read.

Two shapes in the query string:

* ``?range=6h`` — a relative preset (1h, 6h, 24h, 7d, 30d), re-evaluated on every load: a link to
  "the last 6 hours" stays "the last 6 hours".
* ``?from=2025-01-02T03:00&to=2025-01-02T05:30`` — a fixed window. Times without an offset are read in
  ``settings.TIME_ZONE``; ``pinned()`` turns a preset into this shape so an incident can be shared.

``parse`` raises ``TimeRangeError`` with a message fit for the page; ``from_params`` falls back to the
default and returns that message, so a mistyped permalink still renders something useful.
``resolve_range(request)`` does that once per request and keeps the result on the request
(``request.time_range``, ``request.time_range_error``): the page frame, the chart endpoints and the
partials all read the same value object.

Resolution — ``resolution(range_or_span, purpose)`` returns ``"raw"``, ``"hour"`` or ``"day"``, the
finest resolution that keeps what is drawn to a few hundred points and cheap to read. Every selector
and chart asks it; none decides on its own:

* ``CHART`` (charts, tables over the range — the default): raw samples up to 6 hours, hourly rollups
  up to 14 days, daily rollups beyond. At 6 h the densest family (activity, every 10 s) is ~2,200
  samples and statements (every 60 s, one sparse array row each) 360; hourly points over 14 days are
  336. The presets read: 1 h and 6 h raw, 24 h and 7 d hourly, 30 d daily. Rollups cover complete
  buckets only, so charts append the raw tail after the last rolled-up point (``charts.raw_tail``).
* ``SPARKLINE`` (one small line per table row, 50 rows at once): raw only up to 90 minutes — picking
  50 statements out of each sparse raw row costs far more than out of an hourly one — then as CHART.
* ``TOTALS`` (sums and peaks over a window — the advisor's evidence, a page's "worst lag in the
  range"): raw samples as long as they are kept (``RETENTION_RAW_DAYS``), since a rollup keeps the
  last sample of each bucket and a peak between two would be lost; hourly beyond, never daily, whose
  buckets would cut the window's ends.

``coarsest=HOUR`` is for families the store rolls up hourly only (activity, replication).

A young target — a fresh install, a target added an hour ago — has less history than the range asks
for. ``TimeRange.since(first_sample)`` is the part of the range that has data: it starts at the
target's first collection, so a chart shows what exists instead of minutes squeezed to the right edge
of a day, and ``resolution`` of that range resolves against the span that has data (twenty minutes of
history at the default 24 h read raw samples, not hourly rollups that do not exist yet). The chart
endpoint and the page frame clip once; ``history_from`` says where, for the page's note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from dbconsole import params

PRESETS: dict[str, dt.timedelta] = {
    "1h": dt.timedelta(hours=1),
    "6h": dt.timedelta(hours=6),
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}
DEFAULT_PRESET = "24h"
MIN_SPAN = dt.timedelta(minutes=1)
# A custom window may end slightly in the future (clock skew between browser and server), no more.
FUTURE_SLACK = dt.timedelta(minutes=5)
QUERY_KEYS = ("range", "from", "to")
# Read through the parameter layer; an unusable one becomes the range error, never a 500.
RANGE = params.Choice("range", choices=tuple(PRESETS))
FROM: params.Instant[dt.datetime | None] = params.Instant("from", default=None)
TO: params.Instant[dt.datetime | None] = params.Instant("to", default=None)

RAW, HOUR, DAY = "raw", "hour", "day"
CHART, SPARKLINE, TOTALS = "chart", "sparkline", "totals"
RAW_UP_TO = {CHART: dt.timedelta(hours=6), SPARKLINE: dt.timedelta(minutes=90)}
HOURLY_UP_TO = dt.timedelta(days=14)


class TimeRangeError(ValueError):
    """The range in the URL is unusable; the message says why, for the page."""


@dataclass(frozen=True)
class TimeRange:
    start: dt.datetime
    end: dt.datetime
    preset: str | None = None
    # Set by ``since``: the target's history begins at this moment, later than the range asked for
    # (``start`` was moved there); None when the history covers the whole range.
    history_from: dt.datetime | None = None

    # -- parsing ----------------------------------------------------------------------------------

    @classmethod
    def last(cls, preset: str, *, now: dt.datetime | None = None) -> TimeRange:
        if preset not in PRESETS:
            raise TimeRangeError(f"unknown range {preset!r}: use one of {', '.join(PRESETS)}")
        end = now or timezone.now()
        return cls(start=end - PRESETS[preset], end=end, preset=preset)

    @classmethod
    def parse(cls, query: Mapping[str, str], *, now: dt.datetime | None = None) -> TimeRange:
        """Read ``range`` or ``from``/``to`` from query parameters; no parameters means the default."""
        now = now or timezone.now()
        raw_from, raw_to = (query.get("from") or "").strip(), (query.get("to") or "").strip()
        preset = (query.get("range") or "").strip()
        if raw_from or raw_to:
            if preset:
                raise TimeRangeError("give either a range or from/to, not both")
            if not raw_from:
                raise TimeRangeError("a custom range needs a start ('from')")
            start = _parse_instant(query, FROM)
            end = _parse_instant(query, TO) if raw_to else now
            return cls.custom(start, end, now=now)
        try:
            RANGE.read(query)
        except params.ParamError:
            raise TimeRangeError(f"unknown range {preset[:40]!r}: use one of {', '.join(PRESETS)}") from None
        return cls.last(preset or DEFAULT_PRESET, now=now)

    @classmethod
    def custom(cls, start: dt.datetime, end: dt.datetime, *, now: dt.datetime | None = None) -> TimeRange:
        now = now or timezone.now()
        if start > now:
            raise TimeRangeError("the range starts in the future")
        if end <= start:
            raise TimeRangeError("the range must end after it starts")
        if end - start < MIN_SPAN:
            raise TimeRangeError("the range must span at least one minute")
        if end > now + FUTURE_SLACK:
            raise TimeRangeError("the range ends in the future")
        oldest = now - dt.timedelta(days=settings.RETENTION_DAILY_DAYS)
        if start < oldest:
            raise TimeRangeError(
                f"the range starts before the oldest history kept ({settings.RETENTION_DAILY_DAYS} days)"
            )
        return cls(start=start, end=end, preset=None)

    @classmethod
    def from_params(cls, query: Mapping[str, str], *, now: dt.datetime | None = None) -> tuple[TimeRange, str]:
        """Like ``parse``, but an unusable range yields the default and the reason (else "")."""
        try:
            return cls.parse(query, now=now), ""
        except TimeRangeError as exc:
            return cls.last(DEFAULT_PRESET, now=now), str(exc)

    # -- using ------------------------------------------------------------------------------------

    @property
    def span(self) -> dt.timedelta:
        return self.end - self.start

    @property
    def label(self) -> str:
        if self.preset:
            return f"last {self.preset}"
        fmt = "%Y-%m-%d %H:%M"
        return f"{_local(self.start).strftime(fmt)} to {_local(self.end).strftime(fmt)}"

    def params(self) -> dict[str, str]:
        """The query parameters that reproduce this range."""
        if self.preset:
            return {"range": self.preset}
        return {"from": _format_instant(self.start), "to": _format_instant(self.end)}

    def querystring(self) -> str:
        return urlencode(self.params())

    def pinned(self) -> TimeRange:
        """The same window with fixed ends: what a permalink to an incident needs."""
        return TimeRange(start=self.start, end=self.end, preset=None)

    def since(self, first_sample: dt.datetime | None) -> TimeRange:
        """The part of this range that has history, when the history (the target's first collection at
        ``first_sample``) begins inside it: the same end and preset, the start moved to just before the
        first sample (raw reads take samples strictly after the start), on a whole minute. The range
        itself when the history covers it, when there is none, or when it begins after the range."""
        if first_sample is None or first_sample <= self.start or first_sample >= self.end:
            return self
        start = (first_sample - dt.timedelta(microseconds=1)).replace(second=0, microsecond=0)
        start = max(self.start, min(start, self.end - MIN_SPAN))
        return replace(self, start=start, history_from=first_sample)

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment <= self.end

    def bucket(self, points: int = 360) -> dt.timedelta:
        """A round bucket width giving at most about ``points`` points over the range, for charts."""
        steps = (60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 86400)
        wanted = self.span.total_seconds() / max(points, 1)
        for seconds in steps:
            if seconds >= wanted:
                return dt.timedelta(seconds=seconds)
        return dt.timedelta(seconds=steps[-1])

    def input_value(self, which: str) -> str:
        """``from``/``to`` for a ``datetime-local`` input, in the display time zone."""
        moment = self.start if which == "from" else self.end
        return _local(moment).strftime("%Y-%m-%dT%H:%M")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(_zone())


def _parse_instant(query: Mapping[str, str], param: params.Instant[dt.datetime | None]) -> dt.datetime:
    try:
        value = param.read(query)
    except params.ParamError as exc:
        raise TimeRangeError(f"{param.name!r} {exc.message}") from None
    assert value is not None  # the caller read a non-blank value
    return value


def _format_instant(moment: dt.datetime) -> str:
    # Minute precision in the display zone keeps permalinks short and readable.
    return _local(moment).strftime("%Y-%m-%dT%H:%M")


# -- once per request -------------------------------------------------------------------------------

def resolve_range(request: HttpRequest) -> TimeRange:
    """The request's range, read from its query string on first use and kept on the request; an
    unusable one falls back to the default and leaves the reason in ``range_error(request)``."""
    found = getattr(request, "time_range", None)
    if not isinstance(found, TimeRange):
        params.record(request, RANGE, FROM, TO)
        found, error = TimeRange.from_params(request.GET)
        setattr(request, "time_range", found)  # noqa: B010  (HttpRequest declares no such attribute)
        setattr(request, "time_range_error", error)  # noqa: B010
    return found


def range_error(request: HttpRequest) -> str:
    """Why the URL's range was not usable ("" when it was)."""
    resolve_range(request)
    return str(getattr(request, "time_range_error", ""))


# -- the resolution policy ----------------------------------------------------------------------------

def resolution(span: TimeRange | dt.timedelta, purpose: str = CHART, *, coarsest: str = DAY) -> str:
    """``raw``, ``hour`` or ``day`` for reading a range of this length for ``purpose`` (see the module
    docstring); never coarser than ``coarsest``. Give it the range clipped to the history
    (``TimeRange.since``) so that it resolves against the span that has data."""
    length = span.span if isinstance(span, TimeRange) else span
    if purpose == TOTALS:
        chosen = RAW if length <= dt.timedelta(days=settings.RETENTION_RAW_DAYS) else HOUR
    elif purpose in RAW_UP_TO:
        chosen = RAW if length <= RAW_UP_TO[purpose] else HOUR if length <= HOURLY_UP_TO else DAY
    else:
        raise ValueError(f"unknown purpose {purpose!r}")
    order = (RAW, HOUR, DAY)
    return order[min(order.index(chosen), order.index(coarsest))]
