"""Routing, grouping and the decision to notify — Alertmanager's aggregation groups, per channel.

A channel receives a target's alerts when it has no tags or shares one with the target, and the
alert's severity reaches the channel's ``min_severity``. Alerts are grouped by (alert name, target):
the alerts of a group that fire together go out in one notification. A group notifies when one of its
alerts starts firing (``new``), when one it announced has resolved (``resolved``, if the channel sends
resolved notifications), or when it still fires unacknowledged after the channel's repeat interval
(``repeat``). Silenced and inhibited alerts leave the group quietly: no "resolved" for them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from alerts.channels.payload import build, group_key
from alerts.models import Alert, AlertState, Channel, Notification, NotificationGroup, Silence
from dbconsole.thresholds import RANK
from monitoring.models import Target


def routes(channel: Channel, target: Target) -> bool:
    return not channel.tags or bool(set(channel.tags) & set(target.tags or ()))


def active_silences(now: dt.datetime) -> list[Silence]:
    return [s for s in Silence.objects.filter(starts_at__lte=now, ends_at__gt=now) if s.active(now)]


def silenced_by(alert: Alert, silences: list[Silence]) -> Silence | None:
    return next((s for s in silences if s.matches(alert.target_id, alert.labels)), None)


def group_labels(alert: Alert) -> dict[str, str]:
    return {"alertname": alert.alertname, "target": str(alert.labels.get("target", ""))}


def flush(target: Target, now: dt.datetime | None = None) -> list[Notification]:
    """Decide, per channel and group, what to send about ``target`` now; returns the notifications
    created (queued: the caller enqueues their delivery after commit)."""
    now = now or timezone.now()
    channels = [c for c in Channel.objects.filter(enabled=True) if routes(c, target)]
    if not channels:
        return []
    firing = list(Alert.objects.filter(target=target, state=AlertState.FIRING))
    firing_fps = {a.fingerprint for a in firing}
    silences = active_silences(now)
    eligible_all = [a for a in firing if not a.inhibited and silenced_by(a, silences) is None]
    existing = {(g.channel_id, g.group_key): g for g in NotificationGroup.objects.select_for_update().filter(
        channel__in=channels, labels__target=target.name)}
    out = []
    for channel in channels:
        grouped: dict[str, tuple[dict[str, str], list[Alert]]] = {}
        for alert in eligible_all:
            if RANK[alert.severity] >= RANK[channel.min_severity]:
                labels = group_labels(alert)
                grouped.setdefault(group_key(labels), (labels, []))[1].append(alert)
        keys = set(grouped) | {k for (cid, k) in existing if cid == channel.pk}
        for key in sorted(keys):
            labels, alerts = grouped.get(key, ({}, []))
            group = existing.get((channel.pk, key))
            if group is None:
                group = NotificationGroup.objects.create(channel=channel, group_key=key, labels=labels, firing=[])
            current = {a.fingerprint for a in alerts}
            last = set(group.firing)
            gone_resolved = (last - current) - firing_fps
            resolved = _latest_resolved(target, gone_resolved) if channel.send_resolved else []
            unacked = [a for a in alerts if a.acknowledged_at is None]
            reason = ""
            if current - last:
                reason = "new"
            elif resolved:
                reason = "resolved"
            elif (current and unacked and group.last_notified_at is not None
                  and now - group.last_notified_at >= dt.timedelta(seconds=channel.repeat_interval_s)):
                reason = "repeat"
            if reason:
                members = sorted(alerts, key=lambda a: a.fired_at or a.started_at) + resolved
                payload = build(channel.name, key, group.labels or labels, members)
                out.append(Notification.objects.create(
                    channel=channel, group=group, status=payload["status"], reason=reason, payload=payload,
                    alert_ids=[a.pk for a in members], created_at=now, next_attempt_at=now))
                group.last_notified_at = now
            if reason or set(group.firing) != current:
                group.firing = sorted(current)
                group.save(update_fields=["firing", "last_notified_at"])
    return out


def _latest_resolved(target: Target, fingerprints: set[str]) -> list[Alert]:
    if not fingerprints:
        return []
    return list(Alert.objects.filter(target=target, fingerprint__in=fingerprints, state=AlertState.RESOLVED)
                .order_by("fingerprint", "-resolved_at").distinct("fingerprint"))
