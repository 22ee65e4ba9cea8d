"""All targets at a glance: one row per target, sortable and filterable, with CSV.

The health columns (worst check, last collection, collector errors) are fed by the collectors' status
when it exists; ``FleetRow.status`` is the slot for it and the template shows "not collected yet" until
then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from monitoring import selectors
from monitoring.models import Target
from monitoring.ui.tables import Column, Table


@dataclass(frozen=True)
class FleetStatus:
    """One target's collection health, summarised from its ``CollectorStatus`` rows (phase 2 fills it):
    ``health`` is ok / warn / error, ``errors`` the collectors currently failing."""

    health: str
    last_collected: dt.datetime | None
    errors: int


@dataclass(frozen=True)
class FleetRow:
    target: Target
    status: FleetStatus | None = None

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def tags(self) -> str:
        return ", ".join(self.target.tags)


COLUMNS = [
    Column("name", "Name", search=True),
    Column("address", "Address", search=True, get=lambda r: r.target.address),
    Column("version", "Version", numeric=True, get=lambda r: r.target.server_version_num),
    Column("tags", "Tags", search=True),
    Column("enabled", "Collection", choices=True, get=lambda r: "enabled" if r.target.enabled else "disabled"),
    Column("health", "Health", get=lambda r: getattr(r.status, "health", None)),
    Column("last_collected", "Last collection", numeric=True, get=lambda r: getattr(r.status, "last_collected", None)),
    Column("errors", "Errors", numeric=True, get=lambda r: getattr(r.status, "errors", None)),
]


@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    rows = [FleetRow(target=t) for t in selectors.all_targets()]
    table = Table(request, COLUMNS, rows, default_sort="name")
    if table.wants_csv:
        return table.csv_response("targets")
    return render(request, "monitoring/fleet.html", {"table": table, "total": len(rows)})
