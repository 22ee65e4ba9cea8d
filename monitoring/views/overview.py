"""A target's overview page and its live "now" panel (an HTMX partial that polls)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from monitoring import selectors
from monitoring.live.now import read_now
from monitoring.targets.connect import TargetError


@require_GET
def overview(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    return render(request, "monitoring/overview.html", {"target": obj, "targets": selectors.all_targets()})


@require_GET
def now_panel(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context: dict[str, object] = {"target": obj}
    try:
        context["now"] = read_now(obj)
    except TargetError as exc:
        context["error"] = exc
    return render(request, "monitoring/overview.html#now", context)
