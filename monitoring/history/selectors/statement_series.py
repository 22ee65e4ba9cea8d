"""Statements over time: one statement's series (query detail charts) and a page's sparklines.

Re-exported by ``statements`` (import them from there). Bucket values are differences of cumulative
rows: raw rows are already deltas; hour rows are cumulative within their day, day rows since the
beginning (see ``rollups_statements``). Each counter read from an hour or day row is a whole
5,000-element array to detoast, so these functions read only the counters asked for, and the rows
they need: a sparkline over a week reads one row per few hours (``max_points``), not every hour.

Both reach "now", like the totals of the same range: the rollups lag behind the raw rows (the hourly
rows are rewritten every few minutes, day rows are written for complete days only), so what they do
not cover yet — the raw rows after the hourly rollup's watermark, today's hour rows at daily
resolution — is read at the finer resolution and folded into buckets of the same width (``_to_now``).
A young target's series is then never empty while its totals show calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, DAY, HOUR, RAW, resolution

SERIES_COUNTERS = ("calls", "plan_us", "exec_us", "rows", "shared_blks_hit", "shared_blks_read",
                   "temp_blks_read", "temp_blks_written", "shared_read_us", "shared_write_us", "wal_bytes")
STRIDES = (1, 2, 3, 4, 6, 8, 12)   # hours; each divides a day, so blocks never straddle midnight


def floor_hour(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def floor_day(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class StatementPoint:
    at: dt.datetime          # end of the bucket (the sample time for raw points)
    seconds: float           # length of the bucket
    calls: int
    plan_ms: float
    exec_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int
    temp_blks_read: int
    temp_blks_written: int
    io_read_ms: float
    io_write_ms: float
    wal_bytes: int

    @property
    def mean_ms(self) -> float:
        return self.exec_ms / self.calls if self.calls else 0.0

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0


def statement_series(target_id: int, seq: int, start: dt.datetime, end: dt.datetime,
                     res: str | None = None, counters: tuple[str, ...] | None = None) -> list[StatementPoint]:
    """One statement's counters per bucket over [start, end] (``res``: raw, hour or day).
    ``counters`` (of ``SERIES_COUNTERS``) limits what is read; the others are 0 in the points."""
    wanted = tuple(c for c in SERIES_COUNTERS if counters is None or c in counters) or ("calls",)
    points = []
    for at, seconds, values in _to_now(target_id, [seq], start, end, wanted, res):
        v = {name: 0 for name in SERIES_COUNTERS} | {name: vals[0] for name, vals in values.items()}
        points.append(StatementPoint(
            at=at, seconds=seconds, calls=v["calls"], plan_ms=v["plan_us"] / 1000, exec_ms=v["exec_us"] / 1000,
            rows=v["rows"], shared_blks_hit=v["shared_blks_hit"], shared_blks_read=v["shared_blks_read"],
            temp_blks_read=v["temp_blks_read"], temp_blks_written=v["temp_blks_written"],
            io_read_ms=v["shared_read_us"] / 1000, io_write_ms=v["shared_write_us"] / 1000, wal_bytes=v["wal_bytes"],
        ))
    return points


SPARK_METRICS = {"calls": ("calls",), "exec_ms": ("exec_us",), "total_ms": ("exec_us", "plan_us"),
                 "rows": ("rows",), "shared_blks_read": ("shared_blks_read",),
                 "temp_blks": ("temp_blks_read", "temp_blks_written"), "mean_ms": ("exec_us", "calls")}


def sparklines(target_id: int, seqs: list[int], start: dt.datetime, end: dt.datetime,
               metric: str = "total_ms", res: str | None = None,
               max_points: int | None = None,
               groups: Mapping[int, Sequence[int]] | None = None) -> dict[int, list[float]]:
    """``{seq: [value per bucket, oldest first]}`` for a page of statements, in one query (and one for
    the raw rows after the rollup). ``metric`` is one of ``SPARK_METRICS`` (times in ms; ``mean_ms`` is
    exec time per call, 0 without calls). ``max_points``: at hourly resolution, buckets of several
    hours (2, 3, 4, 6, 8 or 12) so that there are about that many — same totals, far fewer rows read.
    ``groups``: ``{seq: the statements its line adds up}`` for rows that stand for several statements
    (the Queries page's groups of one normalized text); their counters are summed before the metric,
    so a group's mean is its total time over its total calls."""
    if metric not in SPARK_METRICS or not seqs:
        return {s: [] for s in seqs}
    res = res or resolution(end - start, CHART)
    parts = SPARK_METRICS[metric]
    members = {seq: tuple((groups or {}).get(seq) or (seq,)) for seq in seqs}
    every = sorted({m for group in members.values() for m in group})
    at = {seq: i for i, seq in enumerate(every)}
    out: dict[int, list[float]] = {s: [] for s in seqs}
    stride = _stride(start, end, max_points) if res == "hour" else 1
    scale = 1000 if metric.endswith("_ms") else 1
    counters = tuple(sorted(set(parts)))
    for _at, _seconds, values in _to_now(target_id, every, start, end, counters, res, stride):
        for seq, group in members.items():
            summed = {c: sum(values[c][at[m]] for m in group) for c in counters}
            if metric == "mean_ms":
                calls = summed["calls"]
                out[seq].append(summed["exec_us"] / 1000 / calls if calls else 0.0)
            else:   # the sum of the metric's counters
                out[seq].append(sum(summed[p] for p in parts) / scale)
    return out


def _stride(start: dt.datetime, end: dt.datetime, max_points: int | None) -> int:
    hours = (end - start).total_seconds() / 3600
    if not max_points:
        return 1
    return next((k for k in STRIDES if hours / k <= max_points), STRIDES[-1])


Buckets = list[tuple[dt.datetime, float, dict[str, list[int]]]]


def _to_now(target_id: int, seqs: list[int], start: dt.datetime, end: dt.datetime, counters: tuple[str, ...],
            res: str | None, stride: int = 1) -> Buckets:
    """``_buckets`` at ``res``, then what its rollup does not cover yet up to ``end``, folded into
    buckets of the same width: at hourly resolution the raw rows after the hourly watermark (one more
    query), at daily resolution the hourly buckets after the last day row and their raw tail (two)."""
    res = res or resolution(end - start, CHART)
    buckets = _buckets(target_id, seqs, start, end, counters, res, stride)
    if res == RAW:
        return buckets
    offset = floor_hour(start).hour % stride
    if res == HOUR:
        params = {"target": target_id, "seqs": seqs, "seq": seqs[0], "start": start, "end": end}
        with connection.cursor() as cur:
            tail = _raw(cur, counters, params, len(seqs) == 1, after_rollup=True)
        return _fold(buckets, tail, HOUR, stride, offset)
    after = max(buckets[-1][0], start) if buckets else start   # day buckets end at midnight
    if after >= end:
        return buckets
    return _fold(buckets, _to_now(target_id, seqs, after, end, counters, HOUR), DAY, stride, offset)


def _fold(buckets: Buckets, tail: Buckets, res: str, stride: int, offset: int) -> Buckets:
    """``tail`` (finer buckets, oldest first, all after ``buckets``) added into the ``res`` bucket each
    belongs to: the last one of ``buckets`` (an hour still open) or new ones after it."""
    out = [(at, seconds, {c: list(v) for c, v in values.items()}) for at, seconds, values in buckets]
    for at, seconds, values in tail:
        if res == HOUR:   # a raw row belongs to the hour it was captured in, as in the rollup
            begins, ends = _block(floor_hour(at), stride, offset)
        else:
            begins = floor_day(at - dt.timedelta(seconds=seconds))
            ends = begins + dt.timedelta(days=1)
        if out and out[-1][0] == ends:
            for counter, column in values.items():
                out[-1][2][counter] = [a + b for a, b in zip(out[-1][2][counter], column, strict=True)]
        else:
            out.append((ends, (ends - begins).total_seconds(), {c: list(v) for c, v in values.items()}))
    return out


def _buckets(target_id: int, seqs: list[int], start: dt.datetime, end: dt.datetime, counters: tuple[str, ...],
             res: str | None, stride: int = 1) -> Buckets:
    res = res or resolution(end - start, CHART)
    one = len(seqs) == 1
    # Blocks of ``stride`` hours are aligned on the range's first hour (and cut at midnight), so the first
    # block starts exactly where the range does: a block's value is then a difference of two rows.
    offset = floor_hour(start).hour % stride
    params: dict[str, Any] = {"target": target_id, "seqs": seqs, "seq": seqs[0], "start": start, "end": end,
                              "stride": stride, "offset": offset}
    with connection.cursor() as cur:
        if res == "raw":
            return _raw(cur, counters, params, one)
        table, key, width = (("monitoring_stmt_hour", "hour", dt.timedelta(hours=stride)) if res == "hour"
                             else ("monitoring_stmt_day", "day", dt.timedelta(days=1)))
        # One statement: its element of each array (one detoast per counter and row); several: picked
        # in one call per counter and row.
        picks = ", ".join(f"coalesce(r.{c}[%(seq)s], 0)" if one else f"dbconsole_pick(r.{c}, %(seqs)s::int4[])"
                          for c in counters)
        # Differences of consecutive rows are the bucket values, so the rows start with the latest one
        # before the range: of the same day for hour rows (they restart every day), of any earlier day
        # for day rows (cumulative since the beginning). None: the first row in the range stands alone.
        params["from"] = floor_hour(start) if res == "hour" else floor_day(start)
        params["first"] = floor_day(start) if res == "hour" else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        where = (f"r.target_id = %(target)s AND r.{key} <= %(end)s AND r.{key} >= coalesce("
                 f"(SELECT max(b.{key}) FROM {table} AS b WHERE b.target_id = %(target)s "
                 f"AND b.{key} >= %(first)s AND b.{key} < %(from)s), %(from)s)")
        if stride > 1:
            # The latest hour row of each block of ``stride`` hours: cumulative through the block's end.
            block = "floor((extract(hour FROM h.hour AT TIME ZONE 'UTC') - %(offset)s) / %(stride)s)"
            day = "date_trunc('day', h.hour AT TIME ZONE 'UTC')"
            cur.execute(f"SELECT r.hour, {picks} FROM monitoring_stmt_hour AS r JOIN ("
                        f"SELECT DISTINCT ON ({day}, {block}) h.hour FROM monitoring_stmt_hour AS h "
                        "WHERE h.target_id = %(target)s AND h.hour >= %(first)s AND h.hour <= %(end)s "
                        f"ORDER BY {day}, {block}, h.hour DESC) AS q ON q.hour = r.hour "
                        f"WHERE {where} ORDER BY r.hour", params)
        else:
            cur.execute(f"SELECT r.{key}, {picks} FROM {table} AS r WHERE {where} ORDER BY r.{key}", params)
        rows = [(row[0], [[v] for v in row[1:]] if one else list(row[1:])) for row in cur.fetchall()]
    floor = floor_hour(start) if res == "hour" else floor_day(start)
    out = []
    for at, values in differences(rows, res):
        begins, ends = _block(at, stride, offset) if res == "hour" else (at, at + width)
        if ends > floor:   # the bucket is (a part of) the range
            out.append((ends, (ends - begins).total_seconds(), dict(zip(counters, values, strict=True))))
    return out


def _raw(cur: Any, counters: tuple[str, ...], params: dict[str, Any], one: bool, *,
         after_rollup: bool = False) -> Buckets:
    """Raw rows in (start, end]; ``after_rollup``: only those newer than the hourly rollup's watermark
    (the ``through`` of the latest hour row up to ``end``) as well."""
    since = "%(start)s"
    if after_rollup:
        since = ("greatest(%(start)s, (SELECT h.through FROM monitoring_stmt_hour AS h WHERE h.target_id = "
                 "%(target)s AND h.hour <= %(end)s ORDER BY h.hour DESC LIMIT 1))")
    if one:
        # The statement's position in each row's ``seqs``, found once, then one element per counter.
        cur.execute("SELECT r.captured_at, r.seconds, "
                    + ", ".join(f"coalesce(r.{c}[at.i], 0)" for c in counters)
                    + " FROM monitoring_stmt_raw AS r CROSS JOIN LATERAL "
                    "(SELECT array_position(r.seqs, %(seq)s) AS i) AS at "
                    f"WHERE r.target_id = %(target)s AND r.captured_at > {since} AND r.captured_at <= %(end)s "
                    "ORDER BY r.captured_at", params)
        return [(row[0], float(row[1]), {c: [v] for c, v in zip(counters, row[2:], strict=True)})
                for row in cur.fetchall()]
    picks = ", ".join(f"dbconsole_pick_sparse(r.seqs, r.{c}, %(seqs)s::int4[])" for c in counters)
    cur.execute(f"SELECT r.captured_at, r.seconds, {picks} FROM monitoring_stmt_raw AS r "
                f"WHERE r.target_id = %(target)s AND r.captured_at > {since} AND r.captured_at <= %(end)s "
                "ORDER BY r.captured_at", params)
    return [(row[0], float(row[1]), dict(zip(counters, row[2:], strict=True))) for row in cur.fetchall()]


def _block(at: dt.datetime, stride: int, offset: int) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of the block holding hour ``at``: blocks start at ``offset`` + n * ``stride``
    hours of each day; the day's first and last blocks are cut at midnight."""
    day = floor_day(at)
    first = offset + (at.astimezone(dt.UTC).hour - offset) // stride * stride
    begins = day + dt.timedelta(hours=max(first, 0))
    return begins, min(day + dt.timedelta(hours=first + stride), day + dt.timedelta(days=1))


def differences(rows: list[tuple[dt.datetime, list[list[int]]]],
                res: str) -> list[tuple[dt.datetime, list[list[int]]]]:
    """Bucket values from cumulative rows: an hour row minus the previous one of the same day (the
    first of a day stands alone), a day row minus the previous day row."""
    out = []
    previous: tuple[dt.datetime, list[list[int]]] | None = None
    for at, values in rows:
        same_run = previous is not None and (res == "day" or floor_day(previous[0]) == floor_day(at))
        if same_run and previous is not None:
            values_now = [[c - b for c, b in zip(col, base, strict=True)]
                          for col, base in zip(values, previous[1], strict=True)]
        else:
            values_now = values
        out.append((at, values_now))
        previous = (at, values)
    return out
