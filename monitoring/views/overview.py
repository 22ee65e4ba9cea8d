"""A target's overview page: the live "now" panel (an HTMX partial that polls ``/now/``), the health
checks (a partial loaded from ``/health/``: live checks plus history ones) and the key charts over the
time range, each loaded lazily from its own endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dbconsole.htmx import is_htmx, is_permanent, stop_polling
from dbconsole.thresholds import WARNING, thresholds_for
from dbconsole.timerange import QUERY_KEYS
from monitoring import selectors
from monitoring.health import Check, overview_checks, summary_of
from monitoring.history.selectors.health import health_inputs
from monitoring.live.now import Now, read_now
from monitoring.models import Target
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame
from monitoring.views._live import render_live, render_target_error

TEMPLATE = "monitoring/overview.html"
REGION = "now"
HEALTH = "health"


@require_GET
def overview(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "overview")
    context["health_url"] = _with_range(request, reverse("overview-health", args=[obj.name]))
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
        return stop_polling(HttpResponse(body)) if stop and is_htmx(request) else HttpResponse(body)
    return render(request, f"{TEMPLATE}#{REGION}", context)


@require_GET
def health_panel(request: HttpRequest, target: str) -> HttpResponse:
    """The checks alone (``/t/<name>/health/``): the overview loads and refreshes it; a target that does
    not answer is itself a critical check, and the rest still come from history."""
    obj = selectors.target_by_name(target)
    now: Now | None = None
    error: TargetError | None = None
    try:
        now = read_now(obj)
    except TargetError as exc:
        error = exc
    limits = thresholds_for(obj)
    inputs = health_inputs([obj.pk], sequence_watch=limits.bound("sequence_used_percent", WARNING))[obj.pk]
    checks = overview_checks(now, error, inputs, timezone.now(), limits)
    context = {
        "target": obj,
        "checks": [{"check": c, "link": _link(request, c, obj)} for c in checks],
        "summary": summary_of(checks),
    }
    response = render(request, "monitoring/overview/health.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _link(request: HttpRequest, check: Check, target: Target) -> str:
    if not check.page:
        return ""
    try:
        return _with_range(request, reverse(check.page, args=[target.name]))
    except NoReverseMatch:  # a page not built (yet): the check still reads fine without a link
        return ""


def _with_range(request: HttpRequest, url: str) -> str:
    kept = request.GET.copy()
    for key in list(kept):
        if key not in QUERY_KEYS:
            del kept[key]
    return f"{url}?{kept.urlencode()}" if kept else url
