"""Locks: who blocks whom right now, as trees rooted at the blocking session, auto-refreshing."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from monitoring import selectors
from monitoring.live.locks import flatten, read_live_locks, version_of
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.polling import no_change, unchanged
from monitoring.views._live import is_poll, render_live, render_target_error

TEMPLATE = "monitoring/locks.html"
REGION = "locks-live"


@require_GET
def locks(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "locks")
    try:
        snapshot = read_live_locks(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    version = version_of(snapshot)
    if is_poll(request, REGION) and unchanged(request, version):
        return no_change()
    context.update(
        snapshot=snapshot,
        version=version,
        trees=[{"tree": tree, "rows": flatten(tree.root)} for tree in snapshot.trees],
    )
    return render_live(request, TEMPLATE, REGION, context)
