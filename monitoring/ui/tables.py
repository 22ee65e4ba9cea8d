"""Sortable, filterable tables with CSV export, driven by the query string (so views stay permalinks).

A view declares its columns once and hands the rows over; the table reads ``sort``, ``q`` and one
exact-match filter per ``choices`` column from the request, and the page template renders the rows
itself (cells differ too much between pages to render generically) with the shared head and tools::

    table = Table(request, ACTIVITY_COLUMNS, backends, default_sort="-duration")
    if table.wants_csv:
        return table.csv_response("activity")
    ... {% table_tools table %} <table> {% table_head table %} {% for b in table.rows %} ...

Rows may be any objects, dicts, or a Django ``QuerySet``; for a QuerySet, sorting and filtering become
``ORDER BY`` / ``WHERE`` on each column's ``field`` so a history page never loads every row to sort it.
Several tables on one page take a ``prefix`` each, which namespaces their parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse

from dbconsole.csvexport import csv_response


@dataclass(frozen=True)
class Column:
    """One column. ``get`` extracts the value (default: attribute or key ``key``).

    * ``numeric`` — right-aligned, sorts as a number, descending first.
    * ``search`` — included in the free-text filter ``q``.
    * ``choices`` — gets an exact-match filter (a select of the values present).
    * ``field`` — the model field for QuerySet rows (defaults to ``key``).
    """

    key: str
    label: str
    numeric: bool = False
    sortable: bool = True
    search: bool = False
    choices: bool = False
    csv: bool = True
    get: Callable[[Any], Any] | None = None
    field: str | None = None

    def value(self, row: Any) -> Any:
        if self.get is not None:
            return self.get(row)
        if isinstance(row, Mapping):
            return row.get(self.key)
        return getattr(row, self.key, None)


@dataclass(frozen=True)
class Header:
    column: Column
    active: bool
    descending: bool
    query: str  # the query string that sorts by this column (toggling direction when active)

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return "none"
        return "descending" if self.descending else "ascending"


class Table:
    def __init__(
        self,
        request: HttpRequest,
        columns: Sequence[Column],
        rows: Iterable[Any] | QuerySet[Any],
        *,
        default_sort: str = "",
        prefix: str = "",
        keep: Mapping[str, str] | None = None,
    ) -> None:
        self.columns = list(columns)
        self.prefix = prefix
        self._by_key = {c.key: c for c in self.columns}
        self._params = request.GET
        self._path = request.path
        # Parameters owned by other parts of the page (time range, other tables) survive our links.
        self._keep: dict[str, str] = {
            k: str(v) for k, v in request.GET.items()
            if (not k.startswith(self._p("")) if prefix else k not in self._own_keys())
        }
        if keep:
            self._keep.update(keep)
        self.sort_key, self.descending = self._read_sort(default_sort)
        self.q = (self._params.get(self._p("q")) or "").strip()
        self.filters = {
            c.key: value
            for c in self.columns
            if c.choices and (value := (self._params.get(self._p(c.key)) or "").strip())
        }
        self._source = rows
        self._rows: list[Any] | None = None

    # -- parameters --------------------------------------------------------------------------------

    def _p(self, name: str) -> str:
        return f"{self.prefix}-{name}" if self.prefix else name

    def _own_keys(self) -> set[str]:
        return {self._p("sort"), self._p("q"), "csv", *(self._p(c.key) for c in self.columns if c.choices)}

    def _read_sort(self, default: str) -> tuple[str, bool]:
        raw = self._params.get(self._p("sort")) or default
        key = raw.lstrip("-")
        wanted = self._by_key.get(key)
        if wanted is None or not wanted.sortable:
            raw = default
            key = raw.lstrip("-")
        return key, raw.startswith("-")

    # -- rows --------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Any]:
        if self._rows is None:
            if isinstance(self._source, QuerySet):
                self._rows = list(self._queryset(self._source))
            else:
                self._rows = self._in_memory(list(self._source))
        return self._rows

    @property
    def all_rows(self) -> Sequence[Any]:
        """Unfiltered rows (lists only), e.g. to offer filter choices."""
        return [] if isinstance(self._source, QuerySet) else list(self._source)

    def _in_memory(self, rows: list[Any]) -> list[Any]:
        needle = self.q.casefold()
        searchable = [c for c in self.columns if c.search]
        if needle:
            rows = [r for r in rows if any(needle in _text(c.value(r)).casefold() for c in searchable)]
        for key, wanted in self.filters.items():
            chosen = self._by_key[key]
            rows = [r for r in rows if _text(chosen.value(r)) == wanted]
        column = self._by_key.get(self.sort_key)
        if column is not None:
            by = column
            present = [r for r in rows if by.value(r) is not None]
            missing = [r for r in rows if by.value(r) is None]
            present.sort(key=lambda r: _sort_value(by.value(r)), reverse=self.descending)
            rows = present + missing  # empty values last in either direction, like NULLS LAST
        return rows

    def _queryset(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        if self.q:
            cond = Q()
            for c in self.columns:
                if c.search:
                    cond |= Q(**{f"{c.field or c.key}__icontains": self.q})
            qs = qs.filter(cond)
        for key, wanted in self.filters.items():
            chosen = self._by_key[key]
            qs = qs.filter(**{chosen.field or chosen.key: wanted})
        column = self._by_key.get(self.sort_key)
        if column is not None:
            expr = F(column.field or column.key)
            qs = qs.order_by(expr.desc(nulls_last=True) if self.descending else expr.asc(nulls_last=True))
        return qs

    # -- rendering helpers -------------------------------------------------------------------------

    @property
    def headers(self) -> list[Header]:
        out = []
        for c in self.columns:
            active = c.key == self.sort_key
            # Clicking the active column flips it; numbers are most useful biggest-first.
            descending = not self.descending if active else c.numeric
            params = self._state(sort=("-" if descending else "") + c.key)
            out.append(Header(column=c, active=active, descending=self.descending if active else False,
                              query=urlencode(params)))
        return out

    def choice_options(self) -> dict[str, list[str]]:
        """The distinct values of each ``choices`` column, for the filter selects."""
        rows = self.all_rows
        return {
            c.key: sorted({_text(c.value(r)) for r in rows} - {""})
            for c in self.columns
            if c.choices
        }

    @property
    def filter_fields(self) -> list[tuple[str, str, str, list[str]]]:
        """``(param, label, current, options)`` per choices column."""
        options = self.choice_options()
        return [
            (self._p(c.key), c.label, self.filters.get(c.key, ""), options.get(c.key, []))
            for c in self.columns
            if c.choices
        ]

    @property
    def q_param(self) -> str:
        return self._p("q")

    @property
    def hidden_params(self) -> list[tuple[str, str]]:
        """What a filter form must carry along: other parameters and our current sort."""
        keep = dict(self._keep)
        keep[self._p("sort")] = ("-" if self.descending else "") + self.sort_key if self.sort_key else ""
        return [(k, v) for k, v in keep.items() if v]

    @property
    def csv_query(self) -> str:
        params = self._state()
        params["csv"] = self.prefix or "1"
        return urlencode(params)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters)

    def _state(self, **override: str) -> dict[str, str]:
        params = dict(self._keep)
        if self.sort_key:
            params[self._p("sort")] = ("-" if self.descending else "") + self.sort_key
        if self.q:
            params[self._p("q")] = self.q
        for key, value in self.filters.items():
            params[self._p(key)] = value
        for key, value in override.items():
            params[self._p(key)] = value
        return params

    # -- CSV ---------------------------------------------------------------------------------------

    @property
    def wants_csv(self) -> bool:
        return self._params.get("csv") == (self.prefix or "1")

    def csv_response(self, filename: str) -> HttpResponse:
        """The filtered, sorted rows as CSV, every ``csv`` column, raw values (no display formatting)."""
        columns = [c for c in self.columns if c.csv]
        rows = ([c.value(row) for c in columns] for row in self.rows)
        return csv_response(filename, [c.label for c in columns], rows)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _sort_value(value: Any) -> Any:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, str):
        return value.casefold()
    return value
