"""Connections now (by state, database, user, application and client, against max_connections) and over
the time range from history, broken down by a switchable dimension (``?by=``). The history card is its
own region: switching the breakdown swaps only it (htmx), never reading the target."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole.htmx import fingerprint, is_htmx, is_poll, no_change, unchanged
from dbconsole.timerange import QUERY_KEYS
from monitoring import selectors
from monitoring.charts.connections import BREAKDOWNS, breakdown_of
from monitoring.live.activity import read_live_activity
from monitoring.live.connections import DIMENSIONS, summarize
from monitoring.models import Target
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table
from monitoring.views._live import render_live, render_target_error

TEMPLATE = "monitoring/connections.html"
REGION = "connections-live"
HISTORY = "connections-history"


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
    context.update(_history(request, obj))
    if is_htmx(request) and getattr(request, "htmx").target == HISTORY:  # noqa: B009
        return render(request, f"{TEMPLATE}#{HISTORY}", context)
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


def _history(request: HttpRequest, target: Target) -> dict[str, object]:
    """The history chart's URLs for the chosen breakdown, and the links that switch it."""
    by = breakdown_of(request)
    chart = reverse("chart", args=[target.name, "connections-history"])
    params = request.GET.copy()
    for key in list(params):
        if key not in QUERY_KEYS:
            del params[key]
    params["by"] = by
    query = params.urlencode()
    switches = []
    for name in BREAKDOWNS:
        page = request.GET.copy()
        page["by"] = name
        switches.append({"name": name, "query": page.urlencode(), "active": name == by})
    return {
        "history_by": by,
        "history_chart": {"url": f"{chart}?{query}", "csv_url": f"{chart}?{query}&format=csv"},
        "history_switches": switches,
    }
