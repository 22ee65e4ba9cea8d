"""Reads for the Alerts pages and the CLI (views stay thin; a fixed number of queries per page).

* ``board(target=None, history_days=7)`` → ``Board``: firing, pending, silenced (by an active silence
  or maintenance window, or inhibited by a target down) and the history (resolved episodes), each row
  with its duration; fleet-wide when ``target`` is None.
* ``channel_rows()`` → every channel with its failed notifications and last attempt.
* ``recent_notifications(limit, failed_only=False)`` → notifications with their attempts.
* ``rule_rows(target)`` → every rule with its effective settings, thresholds and latest verdict.
* ``silences(active_only)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from alerts.evaluation.routing import active_silences, silenced_by
from alerts.evaluation.settings import Effective, effective
from alerts.models import Alert, AlertState, Channel, DeliveryAttempt, Notification, Silence, TargetEvaluation
from alerts.models.alert import OPEN_STATES
from alerts.models.delivery import DeliveryState
from alerts.rules import registry
from alerts.rules.base import Rule
from dbconsole.thresholds import DEFAULTS, Threshold, thresholds_for
from monitoring.models import Target

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    status: str                       # firing, pending, silenced, inhibited, resolved, cleared
    duration_seconds: float
    silence: Silence | None = None


@dataclass
class Board:
    firing: list[AlertRow] = field(default_factory=list)
    pending: list[AlertRow] = field(default_factory=list)
    silenced: list[AlertRow] = field(default_factory=list)
    history: list[AlertRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.firing or self.pending or self.silenced or self.history)


def board(target: Target | None = None, history_days: int = 7) -> Board:
    now = timezone.now()
    scope = Q(target=target) if target is not None else Q()
    silences = active_silences(now)
    out = Board()
    for alert in Alert.objects.filter(scope, state__in=OPEN_STATES).select_related("target", "acknowledged_by") \
            .order_by("-severity", "-started_at"):
        silence = silenced_by(alert, silences)
        if alert.state == AlertState.FIRING and (silence is not None or alert.inhibited):
            out.silenced.append(AlertRow(alert, "inhibited" if alert.inhibited and silence is None else "silenced",
                                         _since(alert.fired_at, now), silence))
        elif alert.state == AlertState.FIRING:
            out.firing.append(AlertRow(alert, "firing", _since(alert.fired_at, now)))
        else:
            out.pending.append(AlertRow(alert, "pending", _since(alert.started_at, now), silence))
    out.firing.sort(key=lambda r: ({"critical": 0, "warning": 1}.get(r.alert.severity, 2), -r.duration_seconds))
    if history_days:
        for alert in (Alert.objects.filter(scope, state=AlertState.RESOLVED,
                                           resolved_at__gte=now - dt.timedelta(days=history_days))
                      .select_related("target").order_by("-resolved_at")[:HISTORY_LIMIT]):
            began = alert.fired_at or alert.started_at
            end = alert.resolved_at or now
            out.history.append(AlertRow(alert, "resolved", (end - began).total_seconds()))
    return out


def _since(at: dt.datetime | None, now: dt.datetime) -> float:
    return (now - at).total_seconds() if at else 0.0


def alert_of(pk: int) -> Alert | None:
    return Alert.objects.select_related("target", "acknowledged_by").filter(pk=pk).first()


# -- channels and deliveries ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelRow:
    channel: Channel
    failed: int
    delivered: int
    last: Notification | None


def channel_rows() -> list[ChannelRow]:
    channels = list(Channel.objects.annotate(
        failed=Count("notifications", filter=Q(notifications__state=DeliveryState.FAILED)),
        delivered=Count("notifications", filter=Q(notifications__state=DeliveryState.DELIVERED))))
    last: dict[int, Notification] = {}
    for n in Notification.objects.filter(channel__in=channels).order_by("channel_id", "-created_at", "-id") \
            .distinct("channel_id"):
        last[n.channel_id] = n
    return [ChannelRow(c, getattr(c, "failed", 0), getattr(c, "delivered", 0), last.get(c.pk)) for c in channels]


def recent_notifications(limit: int = 50, *, failed_only: bool = False,
                         target: Target | None = None) -> list[Notification]:
    qs = Notification.objects.select_related("channel").prefetch_related(
        Prefetch("delivery_attempts", queryset=DeliveryAttempt.objects.order_by("at")))
    if failed_only:
        qs = qs.filter(state__in=[DeliveryState.FAILED, DeliveryState.RETRYING])
    if target is not None:
        qs = qs.filter(group__labels__target=target.name)
    return list(qs.order_by("-created_at", "-id")[:limit])


def silences(active_only: bool = True, target: Target | None = None) -> list[Silence]:
    now = timezone.now()
    qs = Silence.objects.select_related("target")
    if target is not None:
        qs = qs.filter(Q(target=target) | Q(target__isnull=True))
    if active_only:
        qs = qs.filter(ends_at__gt=now, expired_at__isnull=True)
    return list(qs.order_by("starts_at", "id")[:500])


# -- rules ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleRow:
    key: str
    rule: type[Rule]
    settings: Effective
    threshold: Threshold | None
    overridden: dict[str, Any]
    verdict: dict[str, Any] | None


def rule_rows(target: Target) -> list[RuleRow]:
    rules = registry()
    settings = effective(target, rules)
    limits = thresholds_for(target)
    evaluation = TargetEvaluation.objects.filter(target=target).first()
    verdicts = evaluation.verdicts if evaluation else {}
    rows = []
    for key, rule in rules.items():
        threshold = limits[rule.threshold] if rule.threshold in DEFAULTS else None
        overridden = dict((target.thresholds or {}).get(rule.threshold or "", {}))
        rows.append(RuleRow(key, rule, settings[key], threshold, overridden, verdicts.get(key)))
    return rows


def evaluation_of(target: Target) -> TargetEvaluation | None:
    return TargetEvaluation.objects.filter(target=target).first()
