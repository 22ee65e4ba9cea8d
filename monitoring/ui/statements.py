"""The queries page's state in its URL: sort, filters and page, so every view of it is a permalink.

Sorting, filtering and paging happen in the history store (``statement_totals`` does all three in one
query), not in Python: a target has thousands of statements and the page shows fifty. This object only
reads the parameters, and builds the links (sortable headers, pages, CSV) that keep the rest of the
query string — the time range above all.

Parameters: ``sort`` (a key of ``ORDERS``; biggest first), ``q`` (text contains, case-insensitive),
``database``, ``user`` (exact), ``page`` (1-based), ``csv=1`` (every matching statement as CSV).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse

from dbconsole.csvexport import csv_response as export_csv
from monitoring.history.selectors.statements import ORDERS, StatementTotals
from monitoring.ui.tables import Column, Header

PAGE_SIZE = 50
DEFAULT_SORT = "total_time"
OWN_KEYS = ("sort", "q", "database", "user", "page", "csv")

# The table's columns; ``key`` is the ORDERS key for sortable ones.
COLUMNS = (
    Column("query", "Statement", sortable=False),
    Column("trend", "Trend", sortable=False),
    Column("total_time", "Total time", numeric=True),
    Column("calls", "Calls", numeric=True),
    Column("mean", "Mean", numeric=True),
    Column("rows", "Rows", numeric=True),
    Column("shared_blks_read", "Blocks read", numeric=True),
    Column("hit_ratio", "Hit ratio", numeric=True, sortable=False),
    Column("temp_blks", "Temp blocks", numeric=True),
    Column("io_time", "I/O time", numeric=True),
    Column("wal_bytes", "WAL", numeric=True),
)
# What each sort's sparkline draws (``sparklines`` metrics): the trend of the thing sorted by.
SPARK_METRIC = {"total_time": "total_ms", "mean": "mean_ms", "calls": "calls", "rows": "rows",
                "shared_blks_read": "shared_blks_read", "temp_blks": "temp_blks"}
SPARK_LABEL = {"total_ms": "total time (ms)", "mean_ms": "mean time (ms)", "calls": "calls", "rows": "rows",
               "shared_blks_read": "blocks read", "temp_blks": "temp blocks"}


@dataclass(frozen=True)
class PageLink:
    label: str
    query: str
    current: bool = False
    gap: bool = False


class Listing:
    def __init__(self, request: HttpRequest) -> None:
        params = request.GET
        sort = params.get("sort", "").lstrip("-")   # a table-style "-calls" means the same here
        self.sort = sort if sort in ORDERS else DEFAULT_SORT
        self.q = (params.get("q") or "").strip()[:200]
        self.database = (params.get("database") or "").strip()
        self.user = (params.get("user") or "").strip()
        raw_page = params.get("page", "")
        self.page = max(1, int(raw_page)) if raw_page.isdigit() else 1
        self.wants_csv = params.get("csv") == "1"
        # Everything else on the URL (the time range) survives our links.
        self._keep = {k: str(v) for k, v in params.items() if k not in OWN_KEYS and v}

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    @property
    def spark_metric(self) -> str:
        return SPARK_METRIC.get(self.sort, "total_ms")

    @property
    def spark_label(self) -> str:
        return SPARK_LABEL[self.spark_metric]

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.database or self.user)

    def _state(self, **override: str | int) -> dict[str, str]:
        state: dict[str, str] = dict(self._keep)
        if self.sort != DEFAULT_SORT:
            state["sort"] = self.sort
        for key in ("q", "database", "user"):
            if getattr(self, key):
                state[key] = getattr(self, key)
        if self.page > 1:
            state["page"] = str(self.page)
        for key, value in override.items():
            if value in ("", None):
                state.pop(key, None)
            else:
                state[key] = str(value)
        return state

    # -- links -------------------------------------------------------------------------------------

    @property
    def headers(self) -> list[Header]:
        """For ``ui/table_head.html``; a new sort starts again at page 1."""
        return [Header(column=c, active=c.key == self.sort, descending=True,
                       query=urlencode(self._state(sort=c.key if c.key != DEFAULT_SORT else "", page="")))
                for c in COLUMNS]

    @property
    def hidden_params(self) -> list[tuple[str, str]]:
        """What the filter form carries along: the time range and the sort (not the page)."""
        return list(self._state(q="", database="", user="", page="").items())

    @property
    def clear_query(self) -> str:
        return urlencode(self._state(q="", database="", user="", page=""))

    @property
    def csv_query(self) -> str:
        return urlencode(self._state(page="", csv=1))

    def detail_query(self) -> str:
        """The time range for links to a statement's page (its charts cover the same range)."""
        return urlencode(self._keep)

    def pages(self, total: int) -> list[PageLink]:
        """First, last, and two either side of the current page; '…' where pages are skipped."""
        count = max(1, math.ceil(total / PAGE_SIZE))
        if count == 1:
            return []
        wanted = sorted({1, count, *range(max(1, self.page - 2), min(count, self.page + 2) + 1)})
        out: list[PageLink] = []
        previous = 0
        for n in wanted:
            if n - previous > 1:
                out.append(PageLink("…", "", gap=True))
            out.append(PageLink(str(n), urlencode(self._state(page=n if n > 1 else "")), current=n == self.page))
            previous = n
        return out


CSV_FIELDS = (
    ("seq", "seq"), ("queryid", "queryid"), ("database", "datname"), ("user", "usename"),
    ("toplevel", "toplevel"), ("calls", "calls"), ("total_ms", "total_ms"), ("mean_ms", "mean_ms"),
    ("exec_ms", "exec_ms"), ("plan_ms", "plan_ms"), ("plans", "plans"), ("rows", "rows"),
    ("shared_blks_hit", "shared_blks_hit"), ("shared_blks_read", "shared_blks_read"),
    ("shared_blks_dirtied", "shared_blks_dirtied"), ("shared_blks_written", "shared_blks_written"),
    ("temp_blks_read", "temp_blks_read"), ("temp_blks_written", "temp_blks_written"),
    ("io_read_ms", "io_read_ms"), ("io_write_ms", "io_write_ms"), ("wal_bytes", "wal_bytes"),
    ("query", "preview"),
)


def csv_response(rows: Iterable[StatementTotals], filename: str) -> HttpResponse:
    """Every matching statement, raw numbers (ms, blocks, bytes), the query text last."""
    return export_csv(filename or "queries", [name for name, _attr in CSV_FIELDS],
                      ([getattr(row, attr) for _name, attr in CSV_FIELDS] for row in rows), float_format=".3f")
