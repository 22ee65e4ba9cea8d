"""Locks: who blocks whom right now, as trees rooted at the blocking session, auto-refreshing; below,
the timeline of past lock incidents over the time range, and the replay of one of them, sample by
sample (``/t/<target>/locks/incidents/<id>/?sample=N``, N from 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.htmx import is_htmx, is_poll, no_change, unchanged
from dbconsole.timerange import TimeRange
from monitoring import selectors
from monitoring.history.selectors.locks import Replay, incident_replay, lock_incidents
from monitoring.live.locks import flatten, read_live_locks, version_of
from monitoring.models import LockIncident, Target
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table
from monitoring.views._live import render_live, render_target_error

TEMPLATE = "monitoring/locks.html"
REGION = "locks-live"
REPLAY = "lock-replay"
TIMELINE_LIMIT = 500      # the newest incidents of a range; more would not be readable anyway
SAMPLE: params.Int[int | None] = params.Int("sample", default=None, minimum=1, soft=True)   # from 1


@dataclass(frozen=True)
class TimelineItem:
    """An incident placed on the range: ``left`` and ``width`` in percent of the range's span."""

    incident: LockIncident
    left: float
    width: float

    @property
    def duration_seconds(self) -> float:
        return (self.incident.last_seen_at - self.incident.started_at).total_seconds()


INCIDENT_COLUMNS = [
    Column("started_at", "Started", numeric=True, get=lambda i: i.incident.started_at),
    Column("duration", "Lasted", numeric=True, get=lambda i: i.duration_seconds),
    Column("root_pid", "Root blocker", numeric=True, search=True, get=lambda i: i.incident.root_pid),
    Column("root_usename", "User", search=True, choices=True, get=lambda i: i.incident.root_usename),
    Column("root_application", "Application", search=True, get=lambda i: i.incident.root_application),
    Column("root_query", "Root query", sortable=False, search=True, get=lambda i: i.incident.root_query),
    Column("max_waiters", "Max waiters", numeric=True, get=lambda i: i.incident.max_waiters),
    Column("max_wait_seconds", "Max wait", numeric=True, get=lambda i: i.incident.max_wait_seconds),
    Column("relations", "Relations", search=True, get=lambda i: ", ".join(i.incident.relations)),
    Column("samples", "Samples", numeric=True, get=lambda i: i.incident.samples),
]


@require_GET
def locks(request: HttpRequest, target: str) -> HttpResponse:
    return _page(request, selectors.target_by_name(target), {})


@require_GET
def incident(request: HttpRequest, target: str, incident_id: int) -> HttpResponse:
    """One incident replayed: the replay partial for htmx, else the locks page with it open (a permalink)."""
    obj = selectors.target_by_name(target)
    if is_poll(request, REGION):      # the live tree's poller on a permalinked page
        return _page(request, obj, {})
    replay = incident_replay(obj.pk, incident_id, _sample_index(request))
    if replay is None:
        raise Http404("no such lock incident")
    context = _replay_context(request, obj, replay)
    if is_htmx(request) and getattr(request, "htmx").target == REPLAY:  # noqa: B009
        return render(request, "monitoring/locks/replay.html", context)
    return _page(request, obj, context)


def _page(request: HttpRequest, obj: Target, extra: dict[str, Any]) -> HttpResponse:
    context = frame(request, obj, "locks")
    poll = is_poll(request, REGION)
    if not poll:
        # History first: the timeline is worth showing even when the target does not answer.
        timeline = _timeline(request, obj, context["time_range"])
        if timeline.wants_csv:
            return timeline.csv_response(f"{obj.name}-lock-incidents")
        context.update(timeline=timeline, **extra)
    try:
        snapshot = read_live_locks(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    version = version_of(snapshot)
    if poll and unchanged(request, version):
        return no_change()
    context.update(
        snapshot=snapshot,
        version=version,
        trees=[{"tree": tree, "rows": flatten(tree.root)} for tree in snapshot.trees],
    )
    return render_live(request, TEMPLATE, REGION, context)


def _timeline(request: HttpRequest, obj: Target, time_range: TimeRange) -> Table:
    span = time_range.span.total_seconds()
    items = []
    for found in lock_incidents(obj.pk, time_range.start, time_range.end, limit=TIMELINE_LIMIT):
        start = max(found.started_at, time_range.start)
        end = min(found.last_seen_at, time_range.end)
        left = 100 * (start - time_range.start).total_seconds() / span
        width = 100 * max((end - start).total_seconds(), 0) / span
        items.append(TimelineItem(incident=found, left=round(left, 3), width=round(width, 3)))
    return Table(request, INCIDENT_COLUMNS, items, default_sort="-started_at", prefix="incidents")


def _sample_index(request: HttpRequest) -> int | None:
    sample = SAMPLE.get(request)
    return sample - 1 if sample is not None else None


def _replay_context(request: HttpRequest, obj: Target, replay: Replay) -> dict[str, Any]:
    rows = flatten(replay.tree)
    steps = len(replay.marks)
    peak = max(m.waiters for m in replay.marks) or 1
    base = request.GET.copy()
    base.pop("sample", None)

    def step(index: int) -> str:
        params = base.copy()
        params["sample"] = str(index + 1)
        return params.urlencode()

    return {
        "target": obj,
        "replay": replay,
        "replay_rows": rows,
        "replay_marks": [
            {"mark": m, "number": i + 1, "query": step(i), "current": i == replay.index,
             "height": round(100 * m.waiters / peak)}
            for i, m in enumerate(replay.marks)
        ],
        "replay_previous": step(replay.index - 1) if replay.index > 0 else "",
        "replay_next": step(replay.index + 1) if replay.index < steps - 1 else "",
        "replay_lasted": replay.incident.last_seen_at - replay.incident.started_at,
        "replay_since_start": replay.sample.captured_at - replay.incident.started_at,
        "replay_close": reverse("locks", args=[obj.name]) + (f"?{base.urlencode()}" if base else ""),
    }
