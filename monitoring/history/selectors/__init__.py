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

A function that reads a range at the raw, hourly or daily resolution takes it as ``res=``; when not
given, it asks ``dbconsole.timerange.resolution`` (the one policy: raw up to 6 hours, hourly up to 14
days, daily beyond), never deciding by itself.
"""

from __future__ import annotations
