"""Connections now: by state, database, user, application and client, against max_connections."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from monitoring import selectors
from monitoring.live.activity import read_live_activity
from monitoring.live.connections import DIMENSIONS, summarize
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.polling import fingerprint, no_change, unchanged
from monitoring.ui.tables import Column, Table
from monitoring.views._live import is_poll, render_live, render_target_error

TEMPLATE = "monitoring/connections.html"
REGION = "connections-live"


def _columns(label: str) -> list[Column]:
    return [
        Column("value", label, search=True),
        Column("total", "Connections", numeric=True),
        Column("active", "Active", numeric=True),
        Column("idle", "Idle", numeric=True),
        Column("idle_in_transaction", "Idle in tx", numeric=True),
        Column("other", "Other", numeric=True),
        Column("share", "Of usable", numeric=True),
    ]


@require_GET
def connections(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "connections")
    try:
        snapshot = read_live_activity(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    summary = summarize(snapshot)
    tables = [
        (label, Table(request, _columns(label), summary.breakdowns[attribute], default_sort="-total",
                      prefix=attribute))
        for attribute, label in DIMENSIONS
    ]
    for label, table in tables:
        if table.wants_csv:
            return table.csv_response(f"{obj.name}-connections-by-{label.lower()}")
    version = fingerprint(summary.by_state, summary.breakdowns, summary.max_connections)
    if is_poll(request, REGION) and unchanged(request, version):
        return no_change()
    context.update(summary=summary, tables=tables, version=version)
    return render_live(request, TEMPLATE, REGION, context)
