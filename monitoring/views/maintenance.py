"""Maintenance: vacuum/analyze workers now with their progress and the wraparound distance per database
and table (live), then from history the vacuum/analyze recency of every table, what ran within the
time range, and the xid/mxid ages over the range (``/maintenance/history/``, loaded lazily so the live
page stays one read of the target)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole.htmx import fingerprint, is_poll, no_change, unchanged
from dbconsole.timerange import resolve_range
from monitoring import selectors
from monitoring.history.selectors.maintenance import table_maintenance
from monitoring.live.maintenance import read_maintenance
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.tables import CSV, Column, Table
from monitoring.views._live import render_live, render_target_error

TEMPLATE = "monitoring/maintenance.html"
REGION = "maintenance-live"

TABLE_COLUMNS = [
    Column("relation", "Table", search=True),
    Column("xid_age", "XID age", numeric=True),
    Column("xid_pct", "Of freeze max age", numeric=True),
    Column("mxid_age", "MXID age", numeric=True),
    Column("total_bytes", "Size", numeric=True),
    Column("n_dead_tup", "Dead tuples", numeric=True),
    Column("last_autovacuum", "Last autovacuum", numeric=True),
    Column("last_vacuum", "Last vacuum", numeric=True),
]


HISTORY_COLUMNS = [
    Column("relation", "Table", search=True),
    Column("last_vacuumed", "Last vacuum", numeric=True),
    Column("last_analyzed", "Last analyze", numeric=True),
    Column("vacuums_in_range", "Vacuums, range", numeric=True),
    Column("analyzes_in_range", "Analyzes, range", numeric=True),
    Column("autovacuum_count", "Vacuums, total", numeric=True, get=lambda t: t.counts["autovacuum_count"]),
    Column("autoanalyze_count", "Analyzes, total", numeric=True, get=lambda t: t.counts["autoanalyze_count"]),
    Column("n_dead_tup", "Dead tuples", numeric=True),
    Column("dead_ratio", "Dead share", numeric=True),
    Column("n_mod_since_analyze", "Rows changed since analyze", numeric=True),
    Column("xid_age", "XID age", numeric=True),
    Column("mxid_age", "MXID age", numeric=True),
    Column("total_bytes", "Size", numeric=True),
]
HISTORY_PREFIX = "history"


@require_GET
def maintenance(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    if CSV.get(request) == HISTORY_PREFIX:   # the history table's CSV link points at this page
        return history(request, target)
    context = frame(request, obj, "maintenance")
    query = request.GET.urlencode()
    context["history_url"] = reverse("maintenance-history", args=[obj.name]) + (f"?{query}" if query else "")
    try:
        now = read_maintenance(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    tables = Table(request, TABLE_COLUMNS, now.tables, default_sort="-xid_age", prefix="tables")
    if tables.wants_csv:
        return tables.csv_response(f"{obj.name}-wraparound")
    # Progress counters are changes worth redrawing; running times are not (they tick in the browser).
    version = fingerprint(
        [(w.pid, w.relation, w.phase, w.heap_blks_scanned, w.heap_blks_vacuumed, w.index_vacuum_count,
          w.dead_items, w.indexes_processed, w.wait_event, w.query) for w in now.workers],
        now.databases,
        [(t.relation, t.xid_age, t.n_dead_tup, t.last_autovacuum) for t in now.tables],
    )
    if is_poll(request, REGION) and unchanged(request, version):
        return no_change()
    context.update(now=now, tables=tables, version=version)
    return render_live(request, TEMPLATE, REGION, context)


@require_GET
def history(request: HttpRequest, target: str) -> HttpResponse:
    """Vacuum/analyze recency per table from history, over the page's time range (a partial)."""
    obj = selectors.target_by_name(target)
    time_range = resolve_range(request)
    found = table_maintenance(obj.pk, time_range.start, time_range.end)
    tables = Table(request, HISTORY_COLUMNS, found.tables, default_sort="-dead_ratio", prefix=HISTORY_PREFIX)
    if tables.wants_csv:
        return tables.csv_response(f"{obj.name}-vacuum-history")
    response = render(request, "monitoring/maintenance/history.html",
                      {"target": obj, "history": found, "tables": tables, "time_range": time_range})
    response["Cache-Control"] = "no-store"
    return response
