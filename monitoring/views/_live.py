"""What every live page view shares: page-or-poll rendering and target errors as a panel, not a 500."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseStopPolling

from monitoring.targets.connect import TargetError
from monitoring.ui.polling import is_permanent


def is_htmx(request: HttpRequest) -> bool:
    """django-htmx's middleware sets ``request.htmx`` (falsy for ordinary requests)."""
    return bool(getattr(request, "htmx", False))


def is_poll(request: HttpRequest, region: str) -> bool:
    """An htmx request aimed at the region ``region`` (the poller's id): answer with the partial only."""
    return is_htmx(request) and getattr(request, "htmx").target == region  # noqa: B009


def render_live(request: HttpRequest, template: str, region: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only ``template#region`` when the region's poller asks."""
    if is_poll(request, region):
        response = render(request, f"{template}#{region}", context)
    else:
        response = render(request, template, context)
    response["Vary"] = "HX-Request, HX-Target"
    response["Cache-Control"] = "no-store"
    return response


def render_target_error(request: HttpRequest, template: str, region: str, context: dict[str, Any],
                        error: TargetError) -> HttpResponse:
    """The page with the error in place of the live data; a poller stops when retrying cannot help."""
    stop = is_poll(request, region) and is_permanent(error.status)
    context.update(error=error, stopped=stop)
    response = render_live(request, template, region, context)
    if stop:
        stopped = HttpResponseStopPolling(response.content)
        stopped["Cache-Control"] = "no-store"
        return stopped
    return response
