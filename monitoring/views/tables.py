"""Tables and space: sizes (heap, TOAST, indexes), growth over 7 and 30 days, estimated and exact bloat,
live and dead tuples — the latest relations and bloat collections — the largest tables over time, and
the sequences with the share of their range used (what the sequence-overflow check links to)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dbconsole.thresholds import OK, UNKNOWN, grade_sequence, thresholds_for
from dbconsole.verdicts import LEVEL, from_grade
from monitoring import selectors
from monitoring.history.selectors.relations import TableRow, tables
from monitoring.history.selectors.sequences import sequences_latest
from monitoring.models import Target
from monitoring.models.relations import TABLE_KINDS
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table

TEMPLATE = "monitoring/tables.html"


def _bloat_ratio(row: TableRow) -> float | None:
    bloat = row.exact_bloat_bytes if row.exact_bloat_bytes is not None else row.est_bloat_bytes
    heap = row.values["heap_bytes"]
    return bloat / heap if bloat is not None and heap else None


COLUMNS = [
    Column("name", "Table", search=True, get=lambda r: r.relation.qualified_name),
    Column("kind", "Kind", choices=True, get=lambda r: TABLE_KINDS.get(r.relation.kind, r.relation.kind)),
    Column("total_bytes", "Total", numeric=True),
    Column("heap_bytes", "Heap", numeric=True, get=lambda r: r.values["heap_bytes"]),
    Column("toast_bytes", "TOAST", numeric=True, get=lambda r: r.values["toast_bytes"]),
    Column("index_bytes", "Indexes", numeric=True, get=lambda r: r.values["index_bytes"]),
    Column("growth_7d_bytes", "Growth 7 d", numeric=True),
    Column("growth_30d_bytes", "Growth 30 d", numeric=True),
    Column("est_bloat_bytes", "Bloat (estimated)", numeric=True),
    Column("exact_bloat_bytes", "Bloat (pgstattuple)", numeric=True),
    Column("bloat_ratio", "Bloat % of heap", numeric=True, get=_bloat_ratio),
    Column("n_live_tup", "Live tuples", numeric=True, get=lambda r: r.values["n_live_tup"]),
    Column("n_dead_tup", "Dead tuples", numeric=True, get=lambda r: r.values["n_dead_tup"]),
    Column("dead_ratio", "Dead %", numeric=True),
]


@require_GET
def tables_page(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "tables")
    rows = tables(obj.pk)
    table = Table(request, COLUMNS, rows, default_sort="-total_bytes")
    if table.wants_csv:
        return table.csv_response(f"{obj.name}-tables")
    now = timezone.now()
    first = rows[0] if rows else None
    growth_since = first.growth_since if first else None
    bloat_at = next((r.bloat_measured_at for r in rows if r.bloat_measured_at), None)
    context.update(
        table=table, total=len(rows), captured_at=first.captured_at if first else None,
        totals={key: sum(r.values[key] for r in rows) for key in ("heap_bytes", "toast_bytes", "index_bytes")},
        total_bytes=sum(r.total_bytes for r in rows),
        growth_since=growth_since,
        short_7d=growth_since is not None and growth_since > now - dt.timedelta(days=7),
        short_30d=growth_since is not None and growth_since > now - dt.timedelta(days=30),
        bloat_at=bloat_at, exact_measured=any(r.exact_bloat_bytes is not None for r in rows),
    )
    context["sequences_at"], context["sequences"] = _sequences(obj)
    return render(request, TEMPLATE, context)


def _sequences(target: Target) -> tuple[dt.datetime | None, list[dict[str, object]]]:
    """The latest sequences collection, fullest first, each graded as the health check grades it; one
    the monitoring role could not read (or found locked) is unknown, not "0 %"."""
    at, found = sequences_latest(target.pk)
    limits = thresholds_for(target)
    out = []
    for s in found:
        if not s.get("readable", True) or s.get("skipped_locked"):
            status = UNKNOWN
        elif s.get("percent_used") is None:       # never used (nextval not called yet)
            status = OK
        else:
            status = from_grade(grade_sequence(float(s["percent_used"]), bool(s.get("cycle")), limits))
        out.append({**s, "status": status, "level": LEVEL[status]})
    return at, out
