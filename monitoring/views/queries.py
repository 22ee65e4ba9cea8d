"""The queries page (every statement over the time range) and one statement's page.

Both read the history store only. The list costs a fixed number of queries whatever the page size:
the totals (sorted, filtered, grouped and paginated by the history store), the sparklines of the page's
statements (the rollups and the raw rows after them), the filter choices (one). The detail page draws
its charts lazily from ``monitoring.charts.statements``, one endpoint each.

By default the list hides dbconsole's own statements (``?own=1`` shows them) and makes one row of the
statements of a database with the same normalized text (``?split=1``: one row per statement); the CSV
export is one row per statement, with the same filters. Sparklines cover the part of the range that
has history (``data_range``), at the resolution that part needs.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole.timerange import SPARKLINE, resolution
from monitoring import selectors
from monitoring.charts.statements import DETAIL_CHARTS
from monitoring.history.selectors import statements as stmt
from monitoring.ui.frame import frame
from monitoring.ui.sparkline import SPARK_POINTS, sparkline
from monitoring.ui.sqltext import format_sql
from monitoring.ui.statements import PAGE_SIZE, Listing, csv_response

CSV_TEXT_CHARS = 20_000      # per statement in the CSV: whole texts, within reason
# sqlparse re-indents texts up to this size (a few ms for a typical statement, but ~50 ms at 2 kB and
# growing faster than the text); longer ones, e.g. ORM queries with long IN lists, are shown as stored.


@require_GET
def queries(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "queries")
    window = context["time_range"]
    listing = Listing(request)

    def totals(**page: Any) -> stmt.StatementPage:
        return stmt.statement_totals(obj.pk, window.start, window.end, order=listing.sort,
                                     database=listing.database or None, user=listing.user or None,
                                     text=listing.q or None, hide_own=not listing.show_own, **page)

    if listing.wants_csv:
        return csv_response(totals(limit=None, preview=CSV_TEXT_CHARS).rows, f"{obj.name}-queries")
    grouped = not listing.split
    page = totals(limit=PAGE_SIZE, offset=listing.offset, group=grouped)
    if not page.rows and listing.page > 1:   # past the end (a shorter range, a filter): show the last page
        matching = totals(limit=1, group=grouped).total
        if matching:
            listing.page = math.ceil(matching / PAGE_SIZE)
            page = totals(limit=PAGE_SIZE, offset=listing.offset, group=grouped)
    drawn = context["data_range"]
    trends = stmt.sparklines(obj.pk, [r.seq for r in page.rows], drawn.start, drawn.end, metric=listing.spark_metric,
                             res=resolution(drawn, SPARKLINE), max_points=SPARK_POINTS,
                             groups={r.seq: r.seqs for r in page.rows if r.grouped})
    detail_query = listing.detail_query()
    rows = [{
        "s": r,
        "spark": sparkline(trends.get(r.seq, []), label=f"{listing.spark_label} over the range"),
        "io_ms": r.io_read_ms + r.io_write_ms,
        "text": _one_line(r.preview),
        "url": reverse("query-detail", args=[obj.name, r.seq]) + (f"?{detail_query}" if detail_query else ""),
    } for r in page.rows]
    context.update(listing=listing, page=page, rows=rows, owners=stmt.statement_owners(obj.pk),
                   pages=listing.pages(page.total), first=listing.offset + 1 if rows else 0,
                   last=listing.offset + len(rows))
    return render(request, "monitoring/queries.html", context)


@require_GET
def query_detail(request: HttpRequest, target: str, seq: int) -> HttpResponse:
    obj = selectors.target_by_name(target)
    found = stmt.statement(obj.pk, seq)
    if found is None:
        raise Http404("no such statement on this target")
    context = frame(request, obj, "queries")
    window = context["time_range"]
    text = stmt.query_text(found.pk)
    totals = stmt.one_statement_totals(obj.pk, seq, window.start, window.end)
    context.update(
        statement=found, text=text, formatted=format_sql(text), totals=totals, same_text=stmt.same_text(found),
        ran=bool(totals and (totals.calls or totals.plans)),
        io_ms=totals.io_read_ms + totals.io_write_ms if totals else 0.0,
        charts=_charts(obj.name, seq, context["range_query"]),
        list_url=reverse("queries", args=[obj.name]) + (f"?{context['range_query']}" if context["range_query"] else ""),
        explain_url=reverse("explain", args=[obj.name]) + "?" + urlencode({"statement": seq}),
    )
    return render(request, "monitoring/query_detail.html", context)


def _one_line(text: str, limit: int = 180) -> str:
    """A statement on one table line (the detail page formats it): whitespace squeezed, cut with '…'."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def _charts(target: str, seq: int, range_query: str) -> list[dict[str, str]]:
    query = f"seq={seq}" + (f"&{range_query}" if range_query else "")
    out = []
    for name, title in DETAIL_CHARTS:
        url = f"{reverse('chart', args=[target, name])}?{query}"
        out.append({"name": name, "title": title, "url": url, "csv_url": f"{url}&format=csv"})
    return out
