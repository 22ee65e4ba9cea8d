"""Activity: every backend now, auto-refreshing; cancel and terminate live in ``backends``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.htmx import fingerprint, is_poll, no_change, unchanged
from monitoring import selectors
from monitoring.live.activity import ActivityRow, read_live_activity, rows_of, version_of
from monitoring.targets.connect import APPLICATION_NAME, TargetError
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table
from monitoring.views._live import render_live, render_target_error

TEMPLATE = "monitoring/activity.html"
REGION = "activity-live"
SHOW = params.Choice("show", choices=("all",), soft=True)


COLUMNS = [
    Column("pid", "PID", numeric=True),
    Column("duration", "For", numeric=True),
    Column("state", "State", choices=True, get=lambda r: r.backend.state),
    Column("wait", "Waiting on", search=True),
    Column("usename", "User", choices=True, search=True, get=lambda r: r.backend.usename),
    Column("application_name", "Application", choices=True, search=True, get=lambda r: r.backend.application_name),
    Column("client_addr", "Client", search=True, get=lambda r: r.backend.client_addr),
    Column("datname", "Database", choices=True, get=lambda r: r.backend.datname),
    Column("xact_age", "Transaction", numeric=True),
    Column("backend_type", "Type", choices=True, get=lambda r: r.backend.backend_type),
    Column("query", "Query", search=True, sortable=False, get=lambda r: r.backend.query),
]


def _interesting(row: ActivityRow) -> bool:
    """What an on-call engineer looks for: client sessions doing something or holding a transaction —
    other than dbconsole's own reads of this very page."""
    b = row.backend
    return b.is_client and b.state != "idle" and b.application_name != APPLICATION_NAME


@require_GET
def activity(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "activity")
    show_all = SHOW.get(request) == "all"
    context["show_all"] = show_all
    try:
        snapshot = read_live_activity(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    rows = rows_of(snapshot)
    shown = rows if show_all else [r for r in rows if _interesting(r)]
    table = Table(request, COLUMNS, shown, default_sort="-duration")
    if table.wants_csv:
        return table.csv_response(f"{obj.name}-activity")
    version = fingerprint(version_of(table.rows), show_all)
    if is_poll(request, REGION) and unchanged(request, version):
        return no_change()
    context.update(snapshot=snapshot, table=table, version=version, hidden=len(rows) - len(shown),
                   total=len(rows))
    return render_live(request, TEMPLATE, REGION, context)
