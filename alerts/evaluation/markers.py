"""Alert transitions written into monitoring's event history, so the target's charts mark them like
restarts and lock incidents — monitoring's charts never import alerts; they read ``Event`` rows of the
kinds ``monitoring.events.ALERT_FIRING`` / ``ALERT_RESOLVED``."""

from __future__ import annotations

from alerts.evaluation.states import Changes
from alerts.models import Alert
from monitoring.events import ALERT_FIRING, ALERT_RESOLVED
from monitoring.models import Event


def record(changes: Changes) -> int:
    events = [_event(a, ALERT_FIRING) for a in changes.fired] + [_event(a, ALERT_RESOLVED) for a in changes.resolved]
    if events:
        Event.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)


def _event(alert: Alert, kind: str) -> Event:
    at = alert.fired_at if kind == ALERT_FIRING else alert.resolved_at
    assert at is not None
    verb = "firing" if kind == ALERT_FIRING else "resolved"
    return Event(target_id=alert.target_id, at=at, kind=kind, collector="alerts",
                 message=f"{alert.rule} {verb}: {alert.summary}"[:1000],
                 detail={"rule": alert.rule, "fingerprint": alert.fingerprint, "severity": alert.severity,
                         "alert": alert.pk},
                 dedupe_key=f"{alert.fingerprint}:{alert.started_at.isoformat()}")
