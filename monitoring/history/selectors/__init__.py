"""Read functions over the history store for pages, charts, the CLI and the advisor.

Every function takes a target id (and a time range where it makes sense: aware datetimes, end
included), runs a fixed number of queries whatever the number of rows (no per-row queries), and
returns frozen dataclasses or model instances. Units are in each module's docstring and in field
names: ``*_ms`` milliseconds, ``*_bytes`` bytes, ``*_seconds`` seconds, ``*_per_s`` per second,
block counts in blocks (``block_size``, normally 8 kB).

Modules: ``statements`` (queries page, query detail, advisor workload), ``database`` (database-level
series), ``activity`` (connections), ``locks`` (incidents and replay), ``relations`` (tables, indexes,
bloat, maintenance), ``configuration`` (settings), ``sequences``, ``replication``, ``events`` (chart
annotations), ``fleet`` (collector status per target), ``health`` (what the health checks read, for any
number of targets in one query), ``maintenance`` (vacuum/analyze recency per table over a range).
"""

from __future__ import annotations

import datetime as dt

RAW_MAX = dt.timedelta(hours=6)      # ranges up to this length are drawn from raw samples
HOURLY_MAX = dt.timedelta(days=14)   # … up to this from hourly rollups, beyond from daily ones


def resolution(start: dt.datetime, end: dt.datetime, *, raw_max: dt.timedelta = RAW_MAX) -> str:
    """``raw``, ``hour`` or ``day``: the finest resolution that keeps a chart to a few hundred points."""
    span = end - start
    if span <= raw_max:
        return "raw"
    if span <= HOURLY_MAX:
        return "hour"
    return "day"
