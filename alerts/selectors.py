"""Reads for the Alerts pages and the CLI (views stay thin; a fixed number of queries per page).

* ``board(target=None, history_days=7)`` → ``Board``: firing, pending, silenced (by an active silence
  or maintenance window, or inhibited by a target down) and the history (resolved episodes), each row
  with its duration; fleet-wide when ``target`` is None.
* ``channel_rows()`` → every channel with its failed notifications and last attempt.
* ``recent_notifications(limit, failed_only=False)`` → notifications with their attempts.
* ``rule_rows(target)`` → every rule with its effective settings, thresholds and latest verdict.
* ``silences(active_only)``.
* for the API (``api``): ``alert_list`` (alerts over a time range, by state, keyset-paged), ``alert_row``,
  ``silence_list``, ``firing_counts`` (``/metrics``), ``rule_keys``.
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
from alerts.models.channel import SEVERITIES
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
        row = _row(alert, silences, now)
        if row.status in ("silenced", "inhibited"):
            out.silenced.append(row)
        elif row.status == "firing":
            out.firing.append(row)
        else:
            out.pending.append(row)
    out.firing.sort(key=lambda r: ({"critical": 0, "warning": 1}.get(r.alert.severity, 2), -r.duration_seconds))
    if history_days:
        for alert in (Alert.objects.filter(scope, state=AlertState.RESOLVED,
                                           resolved_at__gte=now - dt.timedelta(days=history_days))
                      .select_related("target").order_by("-resolved_at")[:HISTORY_LIMIT]):
            out.history.append(_row(alert, silences, now))
    return out


def _row(alert: Alert, silences: list[Silence], now: dt.datetime) -> AlertRow:
    """The alert as the pages and the API show it: firing, pending, silenced, inhibited, resolved or cleared,
    with how long it has been (or was) in that state."""
    if alert.state == AlertState.FIRING:
        silence = silenced_by(alert, silences)
        if silence is not None or alert.inhibited:
            status = "inhibited" if alert.inhibited and silence is None else "silenced"
            return AlertRow(alert, status, _since(alert.fired_at, now), silence)
        return AlertRow(alert, "firing", _since(alert.fired_at, now))
    if alert.state == AlertState.PENDING:
        return AlertRow(alert, "pending", _since(alert.started_at, now), silenced_by(alert, silences))
    began = alert.fired_at or alert.started_at
    end = alert.resolved_at or alert.cleared_at or alert.last_seen_at
    status = "resolved" if alert.state == AlertState.RESOLVED else "cleared"
    return AlertRow(alert, status, max(0.0, (end - began).total_seconds()))


def _since(at: dt.datetime | None, now: dt.datetime) -> float:
    return (now - at).total_seconds() if at else 0.0


def alert_of(pk: int) -> Alert | None:
    return Alert.objects.select_related("target", "acknowledged_by").filter(pk=pk).first()


# -- the API's reads: alerts over a time range, one alert, silences, firing counts for /metrics ----------

LISTED_STATES = ("firing", "pending", "silenced", "inhibited", "resolved")
_STORED = {"firing": AlertState.FIRING, "silenced": AlertState.FIRING, "inhibited": AlertState.FIRING,
           "pending": AlertState.PENDING, "resolved": AlertState.RESOLVED}
Position = tuple[dt.datetime, int]


def rule_keys() -> tuple[str, ...]:
    """Every rule's key (its alerts' ``alertname``), sorted."""
    return tuple(registry())


def alert_list(*, start: dt.datetime, end: dt.datetime, target: Target | None = None, target_name: str | None = None,
               state: str | None = None, severity: str | None = None, rule: str | None = None,
               after: Position | None = None, limit: int = 50) -> tuple[list[AlertRow], bool]:
    """Alerts whose episode overlaps ``[start, end]`` — open ones started before ``end``, resolved ones
    that ended after ``start`` (episodes cleared while pending never notified anybody: left out) — newest
    first by (``started_at``, id), after the position ``after``; at most ``limit`` rows, and whether more
    follow. ``state`` is one of ``LISTED_STATES``: silenced and inhibited are firing alerts an active
    silence or their target's outage keeps quiet, so those three are told apart here, among the open
    firing alerts (at most one per fingerprint: a bounded set)."""
    now = timezone.now()
    qs = Alert.objects.filter(Q(state__in=OPEN_STATES) | Q(state=AlertState.RESOLVED, resolved_at__gte=start),
                              started_at__lte=end)
    if target is not None:
        qs = qs.filter(target=target)
    if target_name:
        qs = qs.filter(target__name=target_name)
    if state is not None:
        qs = qs.filter(state=_STORED[state])
    if severity:
        qs = qs.filter(severity=severity)
    if rule:
        qs = qs.filter(rule=rule)
    if after is not None:
        qs = qs.filter(Q(started_at__lt=after[0]) | Q(started_at=after[0], pk__lt=after[1]))
    qs = qs.select_related("target", "acknowledged_by").order_by("-started_at", "-pk")
    silences = active_silences(now)
    if state in ("firing", "silenced", "inhibited"):
        rows = []
        for alert in qs:
            row = _row(alert, silences, now)
            if row.status == state:
                rows.append(row)
                if len(rows) > limit:
                    break
    else:
        rows = [_row(alert, silences, now) for alert in qs[:limit + 1]]
    return rows[:limit], len(rows) > limit


def alert_row(pk: int) -> AlertRow | None:
    alert = alert_of(pk)
    if alert is None:
        return None
    now = timezone.now()
    return _row(alert, active_silences(now), now)


SILENCE_STATUSES = ("active", "scheduled", "ended")


def silence_status(silence: Silence, now: dt.datetime) -> str:
    if silence.expired_at is not None or silence.ends_at <= now:
        return "ended"
    return "scheduled" if silence.starts_at > now else "active"


def silence_list(*, status: str | None = None, target_name: str | None = None, after: Position | None = None,
                 limit: int = 100) -> tuple[list[Silence], bool]:
    """Silences and maintenance windows, latest start first by (``starts_at``, id): ``status`` one of
    ``SILENCE_STATUSES``, or None for those not ended; ``target_name`` keeps the ones that apply to that
    target (its own and the fleet-wide ones)."""
    now = timezone.now()
    ended = Q(expired_at__isnull=False) | Q(ends_at__lte=now)
    qs = Silence.objects.select_related("target")
    if status == "ended":
        qs = qs.filter(ended)
    else:
        qs = qs.exclude(ended)
        if status == "active":
            qs = qs.filter(starts_at__lte=now)
        elif status == "scheduled":
            qs = qs.filter(starts_at__gt=now)
    if target_name:
        qs = qs.filter(Q(target__name=target_name) | Q(target__isnull=True))
    if after is not None:
        qs = qs.filter(Q(starts_at__lt=after[0]) | Q(starts_at=after[0], pk__lt=after[1]))
    rows = list(qs.order_by("-starts_at", "-pk")[:limit + 1])
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True)
class FiringCount:
    firing: int = 0
    silenced: int = 0


def firing_counts(target_ids: list[int]) -> dict[int, dict[str, FiringCount]]:
    """Firing alerts per target and severity (every severity, 0 included), and how many of them notify
    nobody (silenced, in a maintenance window, or inhibited by their target being down) — for targets the
    evaluation has run on: of a target never evaluated nothing is known, so it has no entry (never a
    false 0). Three queries, whatever the number of targets."""
    now = timezone.now()
    evaluated = set(TargetEvaluation.objects.filter(target_id__in=target_ids).values_list("target_id", flat=True))
    counts = {t: {s: [0, 0] for s in SEVERITIES} for t in evaluated}
    silences = active_silences(now)
    for alert in Alert.objects.filter(target_id__in=evaluated, state=AlertState.FIRING) \
            .only("target_id", "severity", "labels", "inhibited"):
        pair = counts[alert.target_id].setdefault(alert.severity, [0, 0])
        pair[0] += 1
        if alert.inhibited or silenced_by(alert, silences) is not None:
            pair[1] += 1
    return {t: {s: FiringCount(*pair) for s, pair in by.items()} for t, by in counts.items()}


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
