"""The one CSV writer behind every export (tables, the statements list, chart data).

Names and texts in an export come from databases we do not control, and a DBA opens the file in a
spreadsheet. A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets (``=HYPERLINK(...)``, DDE payloads); following OWASP's rule for
CSV injection, such a text cell is written with a leading ``'``, which spreadsheets show as text and
hide. Numbers are numbers (``-5`` stays ``-5``); only text is neutralised.
"""

from __future__ import annotations

import csv
import datetime as dt
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any, *, float_format: str | None = None) -> str:
    """One value as CSV text: empty for None, ISO 8601 for times, seconds for durations, numbers as
    numbers, and text neutralised."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return f"{value.total_seconds():.3f}"
    if isinstance(value, float) and float_format is not None:
        return format(value, float_format)
    if isinstance(value, numbers.Number):
        return str(value)
    return neutralise(str(value))


def write_csv(out: _Writable, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
              float_format: str | None = None) -> None:
    writer = csv.writer(out)
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([cell(v, float_format=float_format) for v in row])


def safe_filename(name: str, default: str = "export") -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in name)[:100] or default


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                 float_format: str | None = None) -> HttpResponse:
    """An attachment ``<filename>.csv`` (the name reduced to safe characters)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}.csv"'
    write_csv(response, header, rows, float_format=float_format)
    return response
