"""Indexes page: every index of the target with its flags, a scans chart on demand, CSV.

The reports themselves (flags, last use, duplicates) are assembled in ``monitoring.ui.indexes``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.htmx import is_htmx
from monitoring import selectors
from monitoring.ui.frame import frame
from monitoring.ui.indexes import IndexReport, index_reports
from monitoring.ui.tables import Column, Table

TEMPLATE = "monitoring/indexes.html"
FLAGS = {
    "unused": "Unused",
    "duplicate": "Duplicate or redundant",
    "invalid": "Invalid",
    "drop": "Drop candidates",
}
FLAG = params.Choice("flag", choices=tuple(FLAGS), soft=True)
PICKED: params.Int[int | None] = params.Int("chart", default=None, minimum=1)   # the index whose scans to draw


COLUMNS = [
    Column("name", "Index", search=True),
    Column("table", "Table", search=True, choices=True),
    Column("bytes", "Size", numeric=True),
    Column("scans", "Scans in range", numeric=True),
    Column("scans_total", "Scans since stats reset", numeric=True),
    Column("last_used", "Last used", numeric=True),
    Column("flags", "Flags", search=True),
    Column("definition", "Definition", sortable=False, search=True),
]


@require_GET
def indexes_page(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "indexes")
    time_range = context["time_range"]
    rows = index_reports(obj.pk, obj.server_major, time_range.start, time_range.end)
    counts = {key: sum(1 for r in rows if _has_flag(r, key)) for key in FLAGS}
    flag = FLAG.get(request)
    shown = [r for r in rows if _has_flag(r, flag)] if flag in FLAGS else rows
    table = Table(request, COLUMNS, shown, default_sort="-bytes")
    if table.wants_csv:
        return table.csv_response(f"{obj.name}-indexes")
    picked = _picked(request, rows)
    chart_url = ""
    if picked is not None:
        chart_url = reverse("chart", args=[obj.name, "index-scans"]) + "?" + urlencode(
            {**time_range.params(), "seq": picked.seq})
    context.update(table=table, flag=flag if flag in FLAGS else "", flag_links=_flag_links(request, counts),
                   picked=picked, chart_url=chart_url, total=len(rows),
                   last_scan_known=(obj.server_major or 0) >= 16)
    if is_htmx(request) and getattr(request, "htmx").target == "index-chart":  # noqa: B009
        return render(request, f"{TEMPLATE}#index-chart", context)
    return render(request, TEMPLATE, context)


def _picked(request: HttpRequest, rows: list[IndexReport]) -> IndexReport | None:
    seq = PICKED.get(request)
    if seq is None:
        return None
    found = next((r for r in rows if r.seq == seq), None)
    if found is None:
        raise Http404("no such index on this target")
    return found


def _has_flag(row: IndexReport, flag: str) -> bool:
    if flag == "unused":
        return row.unused
    if flag == "duplicate":
        return bool(row.duplicate_of or row.covered_by)
    if flag == "invalid":
        return not row.is_valid
    if flag == "drop":
        return row.drop
    return True


def _flag_links(request: HttpRequest, counts: dict[str, int]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for key, label in (("", "All"), *FLAGS.items()):
        params = request.GET.copy()
        for drop in ("flag", "csv", "chart"):
            params.pop(drop, None)
        if key:
            params["flag"] = key
        out.append({"key": key, "label": label, "count": counts.get(key), "query": params.urlencode(),
                    "active": FLAG.get(request) == key})
    return out
