"""The notification payload every channel starts from: Alertmanager's webhook JSON (version "4"),
so any receiver that accepts Alertmanager accepts dbconsole. Documented field by field in the README.

Timestamps are RFC 3339 in UTC; a firing alert's ``endsAt`` is Alertmanager's zero time
``0001-01-01T00:00:00Z``. ``startsAt`` is when the alert started firing (its pending time is in the
annotation ``pendingSince``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings

from alerts.models import Alert, AlertState

VERSION = "4"
ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339(at: dt.datetime | None) -> str:
    if at is None:
        return ZERO_TIME
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def alert_json(alert: Alert) -> dict[str, Any]:
    resolved = alert.state == AlertState.RESOLVED
    link = alert.link or f"/t/{alert.labels.get('target', '')}/alerts/"
    return {
        "status": "resolved" if resolved else "firing",
        "labels": {k: str(v) for k, v in alert.labels.items()},
        "annotations": {**{k: str(v) for k, v in alert.annotations.items()},
                        "pendingSince": rfc3339(alert.started_at)},
        "startsAt": rfc3339(alert.fired_at or alert.started_at),
        "endsAt": rfc3339(alert.resolved_at) if resolved else ZERO_TIME,
        "generatorURL": f"{settings.EXTERNAL_URL}{link}",
        "fingerprint": alert.fingerprint,
    }


def build(receiver: str, group_key: str, group_labels: dict[str, str], alerts: Iterable[Alert]) -> dict[str, Any]:
    items = [alert_json(a) for a in alerts]
    firing = any(a["status"] == "firing" for a in items)
    return {
        "version": VERSION,
        "groupKey": group_key,
        "truncatedAlerts": 0,
        "status": "firing" if firing else "resolved",
        "receiver": receiver,
        "groupLabels": dict(group_labels),
        "commonLabels": _common([a["labels"] for a in items]),
        "commonAnnotations": _common([{k: v for k, v in a["annotations"].items() if k != "pendingSince"}
                                      for a in items]),
        "externalURL": settings.EXTERNAL_URL,
        "alerts": items,
    }


def _common(maps: list[dict[str, str]]) -> dict[str, str]:
    if not maps:
        return {}
    first = maps[0]
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in maps[1:])}


def group_key(labels: dict[str, str]) -> str:
    """Alertmanager's form: ``{}:{alertname="lock_wait", target="shop"}``."""
    inner = ", ".join(f'{k}={_quoted(v)}' for k, v in sorted(labels.items()))
    return "{}:{" + inner + "}"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
