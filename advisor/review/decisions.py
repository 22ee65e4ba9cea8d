"""People's decisions on a recommendation: accept, dismiss (with a reason), snooze (until a date),
reopen, mark applied, and comments. Each is one transaction that locks the recommendation, adds a
``Decision`` to its history and writes the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from advisor.models import Decision, Recommendation, Status
from dbconsole import audit

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({Status.OPEN, Status.SNOOZED, Status.DISMISSED}), Status.ACCEPTED),
    "dismiss": (frozenset({Status.OPEN, Status.ACCEPTED, Status.SNOOZED}), Status.DISMISSED),
    "snooze": (frozenset({Status.OPEN, Status.ACCEPTED}), Status.SNOOZED),
    "reopen": (frozenset({Status.ACCEPTED, Status.DISMISSED, Status.SNOOZED, Status.APPLIED}), Status.OPEN),
    "apply": (frozenset({Status.ACCEPTED}), Status.APPLIED),
}
PAST = {"accept": "accepted", "dismiss": "dismissed", "snooze": "snoozed", "reopen": "reopened", "apply": "applied"}
MAX_SNOOZE = dt.timedelta(days=366)


class DecisionError(ValueError):
    """The decision cannot be taken (wrong status, missing reason, a date in the past)."""


def allowed_actions(status: str) -> list[str]:
    """Actions a reviewer may take on a recommendation in ``status``, in button order."""
    return [action for action, (sources, _to) in TRANSITIONS.items() if status in sources]


def decide(rec_id: int, action: str, *, request: HttpRequest, comment: str = "", reason: str = "",
           until: dt.datetime | None = None) -> Recommendation:
    """Take ``action`` on the recommendation as ``request.user``; raises ``DecisionError``."""
    if action not in TRANSITIONS:
        raise DecisionError(f"unknown action {action!r}")
    comment, reason = comment.strip(), reason.strip()
    now = timezone.now()
    if action == "dismiss" and not reason:
        raise DecisionError("a dismissal needs a reason")
    if action == "snooze":
        if until is None:
            raise DecisionError("snoozing needs a date")
        if until <= now:
            raise DecisionError("the snooze date must be in the future")
        if until - now > MAX_SNOOZE:
            raise DecisionError("snooze for at most a year")
    with transaction.atomic():
        # Lock the recommendation's row only: the target's row too would wait on (and block) collections.
        rec = Recommendation.objects.select_for_update(of=("self",)).select_related("target").get(pk=rec_id)
        sources, to = TRANSITIONS[action]
        if rec.status not in sources:
            raise DecisionError(f"a recommendation that is {rec.status} cannot be {PAST[action]}")
        before = rec.status
        details: dict[str, Any] = {}
        if action == "dismiss":
            rec.dismiss_reason = reason
            rec.dismissed_fingerprint = rec.fingerprint
            details["reason"] = reason
        elif rec.dismiss_reason:
            rec.dismiss_reason = ""
            rec.dismissed_fingerprint = ""
        if action == "snooze":
            assert until is not None
            rec.snoozed_until = until
            details["until"] = until.isoformat()
        else:
            rec.snoozed_until = None
        rec.status = to
        rec.status_changed_at = now
        rec.save(update_fields=["status", "status_changed_at", "dismiss_reason", "dismissed_fingerprint",
                                "snoozed_until"])
        _history(rec, request, action=PAST[action], before=before, comment=comment or reason, details=details,
                 now=now)
        audit.record(f"advisor.{action}", request=request, target=rec.target, recommendation=rec.pk,
                     kind=rec.kind, object=rec.object_label, from_status=before, to_status=to,
                     comment=comment, **details)
    return rec


def add_comment(rec_id: int, text: str, *, request: HttpRequest) -> Recommendation:
    text = text.strip()
    if not text:
        raise DecisionError("the comment is empty")
    with transaction.atomic():
        rec = Recommendation.objects.select_for_update(of=("self",)).select_related("target").get(pk=rec_id)
        _history(rec, request, action="commented", before="", comment=text, details={}, now=timezone.now())
        audit.record("advisor.comment", request=request, target=rec.target, recommendation=rec.pk,
                     kind=rec.kind, object=rec.object_label, comment=text)
    return rec


def _history(rec: Recommendation, request: HttpRequest, *, action: str, before: str, comment: str,
             details: dict[str, Any], now: dt.datetime) -> None:
    user = request.user
    Decision.objects.create(
        recommendation=rec, at=now, actor=user if user.is_authenticated else None,
        actor_name=user.get_username() if user.is_authenticated else "anonymous",
        action=action, from_status=before, to_status=rec.status if before else "", comment=comment,
        details=details,
    )
