"""All targets at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from monitoring import selectors


@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/fleet.html", {"targets": selectors.all_targets()})
