"""A target's overview page and its live "now" panel (an HTMX partial that polls ``/now/``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from monitoring import selectors
from monitoring.live.now import read_now
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.ui.polling import is_permanent
from monitoring.views._live import is_htmx, render_live, render_target_error

TEMPLATE = "monitoring/overview.html"
REGION = "now"


@require_GET
def overview(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "overview")
    try:
        context["now"] = read_now(obj)
    except TargetError as exc:
        return render_target_error(request, TEMPLATE, REGION, context, exc)
    return render_live(request, TEMPLATE, REGION, context)


@require_GET
def now_panel(request: HttpRequest, target: str) -> HttpResponse:
    """The panel alone: what the poller fetches, and a plain page for scripts (``/t/<name>/now/``)."""
    obj = selectors.target_by_name(target)
    context: dict[str, object] = {"target": obj}
    try:
        context["now"] = read_now(obj)
    except TargetError as exc:
        stop = is_permanent(exc.status)
        context.update(error=exc, stopped=stop)
        body = render_to_string(f"{TEMPLATE}#{REGION}", context, request=request)
        return HttpResponseStopPolling(body) if stop and is_htmx(request) else HttpResponse(body)
    return render(request, f"{TEMPLATE}#{REGION}", context)
