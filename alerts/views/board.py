"""The Alerts board: what fires, what is pending, what is silenced, and the history with durations —
for the fleet (``/alerts/``) and per target (``/t/<target>/alerts/``). The board region refreshes
itself (htmx, every 10 s) and answers 204 when nothing changed. Operators acknowledge from here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from alerts import actions, selectors
from alerts.models import AlertState
from dbconsole import params
from dbconsole.access import OPERATOR, role_required
from dbconsole.htmx import fingerprint, is_poll, no_change, unchanged
from monitoring import selectors as monitoring_selectors
from monitoring.ui.frame import frame

REGION = "alerts-board"
COMMENT = params.Text("comment", max_length=2000, soft=True)
NEXT = params.Text("next", max_length=2000, soft=True)   # where to go back to; checked below


def _version(board: selectors.Board) -> str:
    return fingerprint([(r.status, r.alert.pk, r.alert.state, r.alert.severity, r.alert.acknowledged_at,
                         r.alert.annotations.get("summary")) for rows in (board.firing, board.pending, board.silenced,
                                                                          board.history) for r in rows])


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    board = context["board"]
    version = _version(board)
    if is_poll(request, REGION):
        if unchanged(request, version):
            return no_change()
        return render(request, f"{template}#board", {**context, "version": version})
    return render(request, template, {**context, "version": version})


@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    board = selectors.board(None)
    failing = selectors.recent_notifications(20, failed_only=True)
    return _render(request, "alerts/fleet.html", {"board": board, "failing": failing, "scope": None})


@require_GET
def target_alerts(request: HttpRequest, target: str) -> HttpResponse:
    obj = monitoring_selectors.target_by_name(target)
    board = selectors.board(obj)
    context = frame(request, obj, "alerts-target")
    context.update(board=board, scope=obj, evaluation=selectors.evaluation_of(obj),
                   rules=selectors.rule_rows(obj), silences=selectors.silences(target=obj),
                   failing=selectors.recent_notifications(20, failed_only=True, target=obj))
    return _render(request, "alerts/target.html", context)


@require_POST
@role_required(OPERATOR)
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_of(pk)
    if alert is None or alert.state not in (AlertState.FIRING, AlertState.PENDING):
        raise Http404("no such open alert")
    actions.acknowledge(alert, comment=COMMENT.post(request), request=request)
    messages.success(request, f"Acknowledged {alert.rule} on {alert.target.name}: no repeat notifications "
                              "while it fires; its resolution is still sent.")
    back = NEXT.post(request)
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return redirect(back if back and safe else "alerts")
