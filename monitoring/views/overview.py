"""A target's overview page: the live "now" panel (an HTMX partial that polls ``/now/``), the headline
and the health checks (a partial loaded from ``/health/``: what needs attention over the range — checks,
lock incidents, advisor findings, collector problems — then every check) and the key charts over the
time range, each loaded lazily from its own endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dbconsole.htmx import is_htmx, is_permanent, stop_polling
from dbconsole.thresholds import WARNING, thresholds_for
from dbconsole.timerange import QUERY_KEYS, resolve_range
from monitoring import selectors
from monitoring.headline.base import Context
from monitoring.headline.compose import check_url, headline_for
from monitoring.health import overview_checks, summary_of
from monitoring.history.selectors.health import health_inputs
from monitoring.live.now import Now, read_now
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
    """The headline and the checks (``/t/<name>/health/``): the overview loads and refreshes it; a target
    that does not answer is itself a check, and the rest still come from history."""
    obj = selectors.target_by_name(target)
    now: Now | None = None
    error: TargetError | None = None
    try:
        now = read_now(obj)
    except TargetError as exc:
        error = exc
    limits = thresholds_for(obj)
    inputs = health_inputs([obj.pk], sequence_watch=limits.bound("sequence_used_percent", WARNING))[obj.pk]
    at = timezone.now()
    checks = overview_checks(now, error, inputs, at, limits)
    ctx = Context(targets=[obj], time_range=resolve_range(request), at=at, inputs={obj.pk: inputs})
    context = {
        "target": obj,
        "headline": headline_for(ctx, checks),
        "time_range": ctx.time_range,
        "checks": [{"check": c, "link": check_url(c, obj, ctx)} for c in checks],
        "summary": summary_of(checks),
    }
    response = render(request, "monitoring/overview/health.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _with_range(request: HttpRequest, url: str) -> str:
    kept = request.GET.copy()
    for key in list(kept):
        if key not in QUERY_KEYS:
            del kept[key]
    return f"{url}?{kept.urlencode()}" if kept else url
