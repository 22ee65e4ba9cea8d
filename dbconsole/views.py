"""Project-level pages: the landing redirect, the health probe and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.models import AuditEvent

TARGET = params.Text("target", max_length=63, soft=True)
ACTION = params.Text("action", max_length=100, soft=True)   # a prefix: "backend." lists every signal
PAGE = params.Int("page", default=1, minimum=1, maximum=1_000_000, soft=True)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("fleet")


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and compose: the history store answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("target").order_by("-at", "-id")
    target = TARGET.get(request)
    if target:
        events = events.filter(target_name=target)
    action = ACTION.get(request)
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(PAGE.get(request))
    context = {"page": page, "target_filter": target or "", "action_filter": action or ""}
    return render(request, "audit/log.html", context)
