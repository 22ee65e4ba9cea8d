"""Statements: the queries page, the query detail page and the advisor's workload.

* ``statement_totals(target_id, start, end, order=…, database=…, user=…, text=…, limit=…, offset=…)``
  → ``StatementPage``: every statement that ran in the range with its totals, filtered, sorted,
  paginated, in one query (four prefix-sum rows, see ``rollups_statements``). The range is widened to
  whole hours (whole days beyond the hourly retention); ``as_of`` is how recent the data is.
* ``one_statement_totals(target_id, seq, start, end)`` → ``StatementTotals | None``: the same totals
  for one statement (query detail), reading only its elements.
* ``statement_series(target_id, seq, start, end, counters=…)`` → ``list[StatementPoint]``: per-bucket
  calls, times, rows, blocks for one statement (raw minutes up to 6 h, hours up to 14 days, days
  beyond); only the ``counters`` asked for are read (see ``statement_series`` module).
* ``sparklines(target_id, seqs, start, end, metric, max_points=…)`` → ``{seq: [value per bucket]}``
  for a page of statements in one query.
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
from dataclasses import dataclass, fields, replace
from typing import Any

from django.db import connection

from dbconsole.timerange import CHART, resolution
from monitoring.history import SQL
from monitoring.history.selectors.cumulative import CUMULATIVE_EVENT_SQL, Cumulative, cumulative_in, cumulative_of
from monitoring.history.selectors.statement_series import (  # noqa: F401  (re-exported: the public API)
    SERIES_COUNTERS,
    SPARK_METRICS,
    StatementPoint,
    differences,
    floor_day,
    floor_hour,
    sparklines,
    statement_series,
)
from monitoring.history.selectors.statement_sql import one_sql, page_sql
from monitoring.models import Statement
from monitoring.pgstats.statements import COUNTERS

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
PAGE_PASS_MAX = 500   # limits up to this use the two-pass page query


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
    # Its totals include the first collection's cumulative counters (since the stats reset): see
    # ``selectors.cumulative``.
    since_stats_reset: bool = False

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
    cumulative: Cumulative | None = None   # the range includes the first collection's cumulative sample


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
    # A page ranks narrow rows and reads every counter of its own statements only (totals_page.sql);
    # every statement at once is cheaper in one pass (totals.sql).
    sql = (page_sql(ORDERS[order]) if limit is not None and limit <= PAGE_PASS_MAX
           else SQL.load("statements/totals").replace("{order}", ORDERS[order]))
    with connection.cursor() as cur:
        hour_start, window = _window(cur, target_id, start, end)
        cur.execute(sql, {
            **window, "target": target_id,
            "database": database or None, "user": user or None,
            "text": f"%{_escape_like(text)}%" if text else None,
            "limit": limit, "offset": offset, "preview": preview,
        })
        rows = cur.fetchall()
        cur.execute("SELECT (SELECT max(captured_at) FROM monitoring_stmt_raw WHERE target_id = %(target)s "
                    f"AND captured_at <= %(end)s), {CUMULATIVE_EVENT_SQL}",
                    {"target": target_id, "start": hour_start, "end": end})
        as_of, cumulative_event = cur.fetchone()
    cumulative = cumulative_of(cumulative_event)
    totals = [_marked(_totals(row), cumulative) for row in rows]
    matching = rows[0][-1] if rows else 0
    return StatementPage(rows=totals, total=matching, start=hour_start, end=min(end, as_of) if as_of else end,
                         as_of=as_of, cumulative=cumulative)


def _marked(totals: StatementTotals, cumulative: Cumulative | None) -> StatementTotals:
    if cumulative is not None and totals.seq in cumulative.seqs:
        return replace(totals, since_stats_reset=True)
    return totals


def _window(cur: object, target_id: int, start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dict[str, Any]]:
    """The range widened to whole hours, as the four prefix points and the raw tail the SQL reads."""
    watermark = _watermark(cur, target_id)
    hour_start = floor_hour(start)
    start_hour = hour_start - dt.timedelta(hours=1)    # cumulative through it = before the range
    rolled = watermark is not None and watermark >= hour_start
    # Prefix rows cover the range up to the rollup's watermark; raw rows the rest. Without rollups
    # inside the range both prefix points are the same one (a zero difference) and raw rows do it all.
    end_hour = floor_hour(min(end, watermark)) if rolled and watermark else start_hour
    tail_after = watermark if rolled and watermark else hour_start - dt.timedelta(microseconds=1)
    tail_until = end if not rolled or (watermark is not None and end > watermark) else tail_after
    return hour_start, {
        "end_day": floor_day(end_hour), "end_hour": end_hour,
        "start_day": floor_day(start_hour), "start_hour": start_hour,
        "tail_after": tail_after, "tail_until": tail_until,
    }


def one_statement_totals(target_id: int, seq: int, start: dt.datetime, end: dt.datetime, *,
                         preview: int = 300) -> StatementTotals | None:
    """What ``statement_totals`` says about one statement over [start, end] (same window, same
    numbers), reading only its element of each array; ``None`` if the target has no such statement."""
    with connection.cursor() as cur:
        hour_start, window = _window(cur, target_id, start, end)
        cur.execute(one_sql(), {**window, "target": target_id, "seq": seq, "preview": preview})
        row = cur.fetchone()
    return _marked(_totals(row), cumulative_in(target_id, hour_start, end)) if row else None


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
    res = res or resolution(end - start, CHART)
    with connection.cursor() as cur:
        if res == "raw":
            cur.execute("SELECT captured_at, seconds, totals FROM monitoring_stmt_raw WHERE target_id = %s "
                        "AND captured_at > %s AND captured_at <= %s ORDER BY captured_at", [target_id, start, end])
            rows = [(at, float(sec), tot) for at, sec, tot in cur.fetchall()]
        else:
            table, key, width = (("monitoring_stmt_hour", "hour", dt.timedelta(hours=1)) if res == "hour"
                                 else ("monitoring_stmt_day", "day", dt.timedelta(days=1)))
            first = floor_day(start) if res == "hour" else floor_day(start) - dt.timedelta(days=1)
            cur.execute(f"SELECT {key}, totals FROM {table} WHERE target_id = %s AND {key} >= %s AND {key} <= %s "
                        f"ORDER BY {key}", [target_id, first, end])
            floor = floor_hour(start) if res == "hour" else floor_day(start)
            rows = [(at + width, width.total_seconds(), values[0])
                    for at, values in differences([(at, [tot]) for at, tot in cur.fetchall()], res) if at >= floor]
    return [WorkloadPoint(
        at=at, seconds=sec, calls=t[TOTAL_INDEX["calls"]], exec_ms=t[TOTAL_INDEX["exec_us"]] / 1000,
        rows=t[TOTAL_INDEX["rows"]], shared_blks_hit=t[TOTAL_INDEX["shared_blks_hit"]],
        shared_blks_read=t[TOTAL_INDEX["shared_blks_read"]],
        temp_blks=t[TOTAL_INDEX["temp_blks_read"]] + t[TOTAL_INDEX["temp_blks_written"]],
    ) for at, sec, t in rows]


assert [f.name for f in fields(StatementTotals)][7:] == [
    "calls", "plans", "plan_ms", "exec_ms", "rows", "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied",
    "shared_blks_written", "temp_blks_read", "temp_blks_written", "io_read_ms", "io_write_ms", "wal_bytes",
    "since_stats_reset"]
