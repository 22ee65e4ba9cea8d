"""Statements: the queries page, the query detail page and the advisor's workload.

* ``statement_totals(target_id, start, end, order=…, database=…, user=…, text=…, limit=…, offset=…)``
  → ``StatementPage``: every statement that ran in the range with its totals, filtered, sorted,
  paginated, in one query (four prefix-sum rows, see ``rollups_statements``). The range is widened to
  whole hours (whole days beyond the hourly retention); ``as_of`` is how recent the data is.
* ``statement_series(target_id, seq, start, end)`` → ``list[StatementPoint]``: per-bucket calls,
  times, rows, blocks for one statement (raw minutes up to 6 h, hours up to 14 days, days beyond).
* ``sparklines(target_id, seqs, start, end, metric)`` → ``{seq: [value per bucket]}`` for a page of
  statements in one query.
* ``statement(target_id, seq)`` / ``query_text(statement_id)`` — identity and full text.
* ``statement_owners(target_id)`` → ``StatementOwners``: the databases and users seen, for filters
  (empty lists: no statement was ever collected).
* ``workload_series(target_id, start, end)`` → ``list[WorkloadPoint]``: calls/s and mean latency of
  all statements together, from per-row totals (no array is unpacked).

Units: times in milliseconds (``*_ms``), blocks in blocks, WAL in bytes; ``mean_ms`` is execution
time per call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import connection

from monitoring.history.selectors import resolution
from monitoring.history.sqlfiles import load
from monitoring.history.statement_state import COUNTERS
from monitoring.models import Statement

ORDERS = {
    "total_time": "x.exec_us + x.plan_us",
    "mean": "x.exec_us::float8 / nullif(x.calls, 0)",
    "calls": "x.calls",
    "rows": "x.rows",
    "shared_blks_read": "x.shared_blks_read",
    "temp_blks": "x.temp_blks_read + x.temp_blks_written",
    "io_time": "x.shared_read_us + x.shared_write_us + x.local_read_us + x.temp_read_us + x.temp_write_us",
    "wal_bytes": "x.wal_bytes",
}
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class StatementTotals:
    statement_id: int
    seq: int
    queryid: int
    datname: str
    usename: str
    toplevel: bool
    preview: str
    calls: int
    plans: int
    plan_ms: float
    exec_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int
    shared_blks_dirtied: int
    shared_blks_written: int
    temp_blks_read: int
    temp_blks_written: int
    io_read_ms: float
    io_write_ms: float
    wal_bytes: int

    @property
    def total_ms(self) -> float:
        return self.exec_ms + self.plan_ms

    @property
    def mean_ms(self) -> float:
        return self.exec_ms / self.calls if self.calls else 0.0

    @property
    def rows_per_call(self) -> float:
        return self.rows / self.calls if self.calls else 0.0

    @property
    def hit_ratio(self) -> float | None:
        touched = self.shared_blks_hit + self.shared_blks_read
        return self.shared_blks_hit / touched if touched else None

    @property
    def temp_blks(self) -> int:
        return self.temp_blks_read + self.temp_blks_written


@dataclass(frozen=True)
class StatementPage:
    rows: list[StatementTotals]
    total: int                       # statements matching the filters (all pages)
    start: dt.datetime               # the range actually covered (whole hours / days)
    end: dt.datetime
    as_of: dt.datetime | None        # newest sample included


def _floor_hour(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _floor_day(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _watermark(cur: object, target_id: int) -> dt.datetime | None:
    cur.execute(  # type: ignore[attr-defined]
        "SELECT max(through) FROM (SELECT through FROM monitoring_stmt_hour WHERE target_id = %s "
        "ORDER BY hour DESC LIMIT 1) AS t", [target_id])
    return cur.fetchone()[0]  # type: ignore[attr-defined]


def statement_totals(
    target_id: int, start: dt.datetime, end: dt.datetime, *, order: str = "total_time",
    database: str | None = None, user: str | None = None, text: str | None = None,
    limit: int | None = 50, offset: int = 0, preview: int = 300,
) -> StatementPage:
    """Totals per statement over [start, end]; ``order`` is one of ``ORDERS``; ``text`` is a substring
    matched case-insensitively; ``limit=None`` returns every statement (the advisor does)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}")
    with connection.cursor() as cur:
        watermark = _watermark(cur, target_id)
        hour_start = _floor_hour(start)
        start_hour = hour_start - dt.timedelta(hours=1)    # cumulative through it = before the range
        rolled = watermark is not None and watermark >= hour_start
        # Prefix rows cover the range up to the rollup's watermark; raw rows the rest. Without rollups
        # inside the range both prefix points are the same one (a zero difference) and raw rows do it all.
        end_hour = _floor_hour(min(end, watermark)) if rolled and watermark else start_hour
        tail_after = watermark if rolled and watermark else hour_start - dt.timedelta(microseconds=1)
        tail_until = end if not rolled or (watermark is not None and end > watermark) else tail_after
        cur.execute(load("statements/totals").replace("{order}", ORDERS[order]), {
            "target": target_id,
            "end_day": _floor_day(end_hour), "end_hour": end_hour,
            "start_day": _floor_day(start_hour), "start_hour": start_hour,
            "tail_after": tail_after, "tail_until": tail_until,
            "database": database or None, "user": user or None,
            "text": f"%{_escape_like(text)}%" if text else None,
            "limit": limit, "offset": offset, "preview": preview,
        })
        rows = cur.fetchall()
        cur.execute("SELECT max(captured_at) FROM monitoring_stmt_raw WHERE target_id = %s AND captured_at <= %s",
                    [target_id, end])
        as_of = cur.fetchone()[0]
    totals = [_totals(row) for row in rows]
    matching = rows[0][-1] if rows else 0
    return StatementPage(rows=totals, total=matching, start=hour_start, end=min(end, as_of) if as_of else end,
                         as_of=as_of)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _totals(row: tuple[object, ...]) -> StatementTotals:
    (statement_id, seq, queryid, datname, usename, toplevel, preview, calls, plans, plan_us, exec_us, rows_,
     hit, read, dirtied, written, temp_read, temp_written, shared_read_us, shared_write_us, local_read_us,
     temp_read_us, temp_write_us, wal_bytes, _matching) = row
    return StatementTotals(
        statement_id=statement_id, seq=seq, queryid=queryid, datname=datname, usename=usename,  # type: ignore[arg-type]
        toplevel=toplevel, preview=preview, calls=calls, plans=plans,  # type: ignore[arg-type]
        plan_ms=plan_us / 1000, exec_ms=exec_us / 1000, rows=rows_,  # type: ignore[operator,arg-type]
        shared_blks_hit=hit, shared_blks_read=read, shared_blks_dirtied=dirtied,  # type: ignore[arg-type]
        shared_blks_written=written, temp_blks_read=temp_read, temp_blks_written=temp_written,  # type: ignore[arg-type]
        io_read_ms=(shared_read_us + local_read_us + temp_read_us) / 1000,  # type: ignore[operator]
        io_write_ms=(shared_write_us + temp_write_us) / 1000, wal_bytes=wal_bytes,  # type: ignore[operator,arg-type]
    )


# -- series --------------------------------------------------------------------------------------

SERIES_COUNTERS = ("calls", "plan_us", "exec_us", "rows", "shared_blks_hit", "shared_blks_read",
                   "temp_blks_read", "temp_blks_written", "shared_read_us", "shared_write_us", "wal_bytes")


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
                     res: str | None = None) -> list[StatementPoint]:
    """One statement's counters per bucket over [start, end] (``res``: raw, hour or day)."""
    buckets = _buckets(target_id, [seq], start, end, SERIES_COUNTERS, res)
    points = []
    for at, seconds, values in buckets:
        v = {name: vals[0] for name, vals in values.items()}
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
               metric: str = "total_ms", res: str | None = None) -> dict[int, list[float]]:
    """``{seq: [value per bucket, oldest first]}`` for a page of statements, in one query. ``metric`` is
    one of ``SPARK_METRICS`` (times in ms; ``mean_ms`` is exec time per call, 0 without calls)."""
    if metric not in SPARK_METRICS or not seqs:
        return {s: [] for s in seqs}
    parts = SPARK_METRICS[metric]
    out: dict[int, list[float]] = {s: [] for s in seqs}
    for _at, _seconds, values in _buckets(target_id, seqs, start, end, tuple(sorted(set(parts))), res):
        for i, seq in enumerate(seqs):
            if metric == "mean_ms":
                calls = values["calls"][i]
                out[seq].append(values["exec_us"][i] / 1000 / calls if calls else 0.0)
            else:
                total = sum(values[p][i] for p in parts)
                out[seq].append(total / 1000 if metric.endswith("_ms") else float(total))
    return out


def _buckets(target_id: int, seqs: list[int], start: dt.datetime, end: dt.datetime, counters: tuple[str, ...],
             res: str | None) -> list[tuple[dt.datetime, float, dict[str, list[int]]]]:
    res = res or resolution(start, end)
    picks = ", ".join(f"dbconsole_pick_sparse(r.seqs, r.{c}, %(seqs)s::int4[])" if res == "raw"
                      else f"dbconsole_pick(r.{c}, %(seqs)s::int4[])" for c in counters)
    params: dict[str, Any] = {"target": target_id, "seqs": seqs, "start": start, "end": end}
    with connection.cursor() as cur:
        if res == "raw":
            cur.execute(f"SELECT r.captured_at, r.seconds, {picks} FROM monitoring_stmt_raw AS r "
                        "WHERE r.target_id = %(target)s AND r.captured_at > %(start)s AND r.captured_at <= %(end)s "
                        "ORDER BY r.captured_at", params)
            return [(row[0], float(row[1]), dict(zip(counters, row[2:], strict=True))) for row in cur.fetchall()]
        table, key, width = (("monitoring_stmt_hour", "hour", dt.timedelta(hours=1)) if res == "hour"
                             else ("monitoring_stmt_day", "day", dt.timedelta(days=1)))
        # From the start of the first day (hour rows restart every day) or the day before (day rows are
        # cumulative since the beginning): differences of consecutive rows are the bucket values.
        first = _floor_day(start) if res == "hour" else _floor_day(start) - dt.timedelta(days=1)
        params["first"] = first
        cur.execute(f"SELECT r.{key}, {picks} FROM {table} AS r WHERE r.target_id = %(target)s "
                    f"AND r.{key} >= %(first)s AND r.{key} <= %(end)s ORDER BY r.{key}", params)
        rows = cur.fetchall()
    out = []
    for at, values in _differences([(row[0], list(row[1:])) for row in rows], res):
        if at >= (_floor_hour(start) if res == "hour" else _floor_day(start)):
            out.append((at + width, width.total_seconds(), dict(zip(counters, values, strict=True))))
    return out


def _differences(rows: list[tuple[dt.datetime, list[list[int]]]],
                 res: str) -> list[tuple[dt.datetime, list[list[int]]]]:
    """Bucket values from cumulative rows: an hour row minus the previous one of the same day (the
    first of a day stands alone), a day row minus the previous day row."""
    out = []
    previous: tuple[dt.datetime, list[list[int]]] | None = None
    for at, values in rows:
        same_run = previous is not None and (res == "day" or _floor_day(previous[0]) == _floor_day(at))
        if same_run and previous is not None:
            values_now = [[c - b for c, b in zip(col, base, strict=True)]
                          for col, base in zip(values, previous[1], strict=True)]
        else:
            values_now = values
        out.append((at, values_now))
        previous = (at, values)
    return out


# -- identity and text ---------------------------------------------------------------------------

def statement(target_id: int, seq: int) -> Statement | None:
    return Statement.objects.select_related("text").filter(target_id=target_id, seq=seq).first()


def query_text(statement_id: int) -> str:
    row = Statement.objects.filter(pk=statement_id).values_list("text__text", flat=True).first()
    return row or ""


@dataclass(frozen=True)
class StatementOwners:
    databases: list[str]
    users: list[str]


def statement_owners(target_id: int) -> StatementOwners:
    """Distinct databases and users of the target's statements, sorted (one query)."""
    pairs = set(Statement.objects.filter(target_id=target_id).values_list("datname", "usename").distinct())
    return StatementOwners(databases=sorted({d for d, _u in pairs if d}), users=sorted({u for _d, u in pairs if u}))


# -- all statements together -----------------------------------------------------------------------

@dataclass(frozen=True)
class WorkloadPoint:
    at: dt.datetime
    seconds: float
    calls: int
    exec_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int
    temp_blks: int

    @property
    def calls_per_s(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    @property
    def mean_ms(self) -> float:
        return self.exec_ms / self.calls if self.calls else 0.0


TOTAL_INDEX = {name: COUNTERS.index(name) for name in COUNTERS}   # positions in the ``totals`` arrays


def workload_series(target_id: int, start: dt.datetime, end: dt.datetime,
                    res: str | None = None) -> list[WorkloadPoint]:
    """All statements of the target together, per bucket: calls/s, mean latency, rows, blocks."""
    res = res or resolution(start, end)
    with connection.cursor() as cur:
        if res == "raw":
            cur.execute("SELECT captured_at, seconds, totals FROM monitoring_stmt_raw WHERE target_id = %s "
                        "AND captured_at > %s AND captured_at <= %s ORDER BY captured_at", [target_id, start, end])
            rows = [(at, float(sec), tot) for at, sec, tot in cur.fetchall()]
        else:
            table, key, width = (("monitoring_stmt_hour", "hour", dt.timedelta(hours=1)) if res == "hour"
                                 else ("monitoring_stmt_day", "day", dt.timedelta(days=1)))
            first = _floor_day(start) if res == "hour" else _floor_day(start) - dt.timedelta(days=1)
            cur.execute(f"SELECT {key}, totals FROM {table} WHERE target_id = %s AND {key} >= %s AND {key} <= %s "
                        f"ORDER BY {key}", [target_id, first, end])
            floor = _floor_hour(start) if res == "hour" else _floor_day(start)
            rows = [(at + width, width.total_seconds(), values[0])
                    for at, values in _differences([(at, [tot]) for at, tot in cur.fetchall()], res) if at >= floor]
    return [WorkloadPoint(
        at=at, seconds=sec, calls=t[TOTAL_INDEX["calls"]], exec_ms=t[TOTAL_INDEX["exec_us"]] / 1000,
        rows=t[TOTAL_INDEX["rows"]], shared_blks_hit=t[TOTAL_INDEX["shared_blks_hit"]],
        shared_blks_read=t[TOTAL_INDEX["shared_blks_read"]],
        temp_blks=t[TOTAL_INDEX["temp_blks_read"]] + t[TOTAL_INDEX["temp_blks_written"]],
    ) for at, sec, t in rows]


assert [f.name for f in fields(StatementTotals)][7:] == [
    "calls", "plans", "plan_ms", "exec_ms", "rows", "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied",
    "shared_blks_written", "temp_blks_read", "temp_blks_written", "io_read_ms", "io_write_ms", "wal_bytes"]
