"""All targets at a glance: one row per target with its headline over the range — the worst of its
history checks, lock incidents, open advisor findings and collector problems (``monitoring.headline``) as
the badge, what needs attention beside it, each linking to its page — the last successful collection and
the failing collectors with their reasons and hints — sortable, filterable, with CSV. History only (no
target is contacted), in a fixed number of queries for any number of targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dbconsole.thresholds import WARNING, thresholds_for
from dbconsole.timerange import TimeRange, resolve_range
from monitoring.headline.base import Context, Item
from monitoring.headline.compose import Headline, headlines
from monitoring.health import fleet_checks
from monitoring.history.selectors import fleet as fleet_selectors
from monitoring.history.selectors.health import health_inputs
from monitoring.models import CollectorStatus, Target
from monitoring.ui.frame import range_frame
from monitoring.ui.tables import Column, Table

SHOWN_PROBLEMS = 4   # per row; the overview's headline lists them all


@dataclass(frozen=True)
class FleetRow:
    target: Target
    headline: Headline
    statuses: list[CollectorStatus]
    last_collected: dt.datetime | None

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def tags(self) -> str:
        return ", ".join(self.target.tags)

    @property
    def health(self) -> str:
        return self.headline.status

    @property
    def level(self) -> str:
        return self.headline.level

    @property
    def health_rank(self) -> int:
        return self.headline.rank

    @property
    def problems(self) -> list[Item]:
        """What needs attention — unknown included — worst first."""
        return self.headline.attention

    @property
    def shown_problems(self) -> list[Item]:
        return self.problems[:SHOWN_PROBLEMS]

    @property
    def more_problems(self) -> int:
        return max(0, len(self.problems) - SHOWN_PROBLEMS)

    @property
    def problem_line(self) -> str:
        """``critical: Collectors, Sequence overflow`` — for the filter and the CSV."""
        return f"{self.health}: " + ", ".join(i.title for i in self.problems) if self.problems else self.health

    @property
    def never_collected(self) -> bool:
        return not any(s.status != "never" for s in self.statuses)

    @property
    def failing(self) -> list[CollectorStatus]:
        return [s for s in self.statuses if not s.ok and s.status != "never"]

    @property
    def failing_statuses(self) -> list[str]:
        return sorted({s.status for s in self.failing})

    @property
    def errors(self) -> int:
        return len(self.failing)


COLUMNS = [
    Column("name", "Name", search=True),
    Column("address", "Address", search=True, get=lambda r: r.target.address),
    Column("version", "Version", numeric=True, get=lambda r: r.target.server_version_num),
    Column("tags", "Tags", search=True),
    Column("enabled", "Collection", choices=True, get=lambda r: "enabled" if r.target.enabled else "disabled"),
    # Health sorts by severity (worst first); its words go to CSV with the problems.
    Column("health", "Health", numeric=True, csv=False, get=lambda r: r.health_rank),
    Column("problems", "Problems", search=True, sortable=False, get=lambda r: r.problem_line),
    Column("last_collected", "Last collection", numeric=True),
    Column("errors", "Errors", numeric=True),
]


@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    rows = fleet_rows(resolve_range(request))
    table = Table(request, COLUMNS, rows, default_sort="name")
    if table.wants_csv:
        return table.csv_response("targets")
    return render(request, "monitoring/fleet.html", {"table": table, "total": len(rows), **range_frame(request)})


def fleet_rows(time_range: TimeRange) -> list[FleetRow]:
    """Two queries for the targets and their collector statuses, one for the health inputs, one per
    headline contributor (lock incidents, advisor findings…) — whatever the number of targets."""
    found = fleet_selectors.fleet()
    statuses = {row.target.pk: row.statuses for row in found}
    limits = {row.target.pk: thresholds_for(row.target) for row in found}
    watch = min((t.bound("sequence_used_percent", WARNING) for t in limits.values()), default=None)
    inputs = health_inputs(statuses, statuses=statuses, sequence_watch=watch)
    at = timezone.now()
    ctx = Context(targets=[row.target for row in found], time_range=time_range, at=at, inputs=inputs)
    checks = {row.target.pk: fleet_checks(inputs[row.target.pk], at, limits[row.target.pk]) for row in found}
    found_headlines = headlines(ctx, checks)
    return [FleetRow(target=row.target, headline=found_headlines[row.target.pk], statuses=row.statuses,
                     last_collected=row.last_success_at) for row in found]
