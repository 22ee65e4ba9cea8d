"""Maintenance now: vacuum/analyze workers with progress, wraparound distance per database and table."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from monitoring import selectors
from monitoring.live.maintenance import read_maintenance
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.polling import fingerprint, no_change, unchanged
from monitoring.ui.tables import Column, Table
from monitoring.views._live import is_poll, render_live, render_target_error

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


@require_GET
def maintenance(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "maintenance")
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
