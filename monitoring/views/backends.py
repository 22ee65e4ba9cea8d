"""Cancel or terminate a backend: operators only, confirmed, POST + CSRF, audit-logged.

``GET`` shows the confirmation, naming the pid, user and query as they are *now* on the target;
``POST`` signals that exact backend (pid and start time, so a recycled pid is never hit) and records
the attempt — successful or refused — in the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from dbconsole import audit, params
from dbconsole.access import OPERATOR, role_required
from dbconsole.htmx import is_htmx
from monitoring import selectors
from monitoring.live.activity import find_backend
from monitoring.live.signals import signal_backend
from monitoring.models import Target
from monitoring.targets.connect import TargetError

TEMPLATE = "monitoring/backend_signal.html"
AUDITED_QUERY_CHARS = 2000
# The start of the backend the confirmation showed, as PostgreSQL printed it (with its offset).
BACKEND_START = params.Instant("backend_start", default=params.EARLIEST, required=True, local=False)
NEXT = params.Text("next", max_length=2000, soft=True)


@require_http_methods(["GET", "POST"])
@role_required(OPERATOR)
def signal(request: HttpRequest, target: str, pid: int, action: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    back = _back_url(request, obj)
    context = {"target": obj, "pid": pid, "action": action, "back": back}
    try:
        _snapshot, backend = find_backend(obj, pid)
    except TargetError as exc:
        context["error"] = exc
        return _render(request, context, status=503)
    if request.method == "GET":
        context["backend"] = backend
        return _render(request, context)

    started = BACKEND_START.post(request)
    details: dict[str, Any] = {
        "pid": pid,
        "usename": backend.usename if backend else None,
        "application_name": backend.application_name if backend else None,
        "query": (backend.query or "")[:AUDITED_QUERY_CHARS] if backend else None,
        "backend_start": started.isoformat(),
    }
    try:
        result = signal_backend(obj, action, pid, started)
    except TargetError as exc:
        audit.record(f"backend.{action}", request=request, target=obj, ok=False, error=exc.status,
                     message=exc.message, **details)
        context.update(error=exc, backend=backend)
        return _done(request, context, ok=False, text=f"{exc.message} — {exc.hint}" if exc.hint else exc.message)
    audit.record(f"backend.{action}", request=request, target=obj, ok=result.signalled, message=result.message,
                 **details)
    context.update(result=result, backend=backend)
    return _done(request, context, ok=result.signalled, text=result.message)


def _render(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    template = f"{TEMPLATE}#confirm" if is_htmx(request) else TEMPLATE
    return render(request, template, context, status=status)


def _done(request: HttpRequest, context: dict[str, object], *, ok: bool, text: str) -> HttpResponse:
    if is_htmx(request):
        # 200 either way: htmx swaps no 4xx body, and the refusal (with its fix) must be read.
        response = render(request, f"{TEMPLATE}#result", context)
        # Live regions on the page refresh now instead of at their next tick.
        response["HX-Trigger"] = "dbconsole:refresh"
        return response
    (messages.success if ok else messages.error)(request, text)
    return redirect(str(context["back"]))


def _back_url(request: HttpRequest, target: Target) -> str:
    candidate = NEXT.post(request) or NEXT.get(request)
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse("activity", args=[target.name])
