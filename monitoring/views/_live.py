"""What every live page view shares: page-or-poll rendering and target errors as a panel, not a 500."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dbconsole.htmx import is_permanent, is_poll, stop_polling
from monitoring.targets.connect import TargetError


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
    return stop_polling(response) if stop else response
