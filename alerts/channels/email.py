"""Email through Django's mail backend (SMTP in production, the test outbox in tests): a plain-text
message per notification, subject ``[FIRING] alertname on target``."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage

from alerts.channels.base import Sent

KIND = "email"


def render(payload: dict[str, Any]) -> tuple[str, str]:
    groups = payload["groupLabels"]
    subject = f"[{payload['status'].upper()}] {groups.get('alertname', '')}"
    if groups.get("target"):
        subject += f" on {groups['target']}"
    parts = []
    for alert in payload["alerts"]:
        annotations = alert["annotations"]
        parts.append("\n".join([
            f"{alert['status'].upper()} · {alert['labels'].get('severity', '')} · {annotations.get('summary', '')}",
            annotations.get("description", ""),
            f"since {alert['startsAt']}" + (f", resolved {alert['endsAt']}" if alert["status"] == "resolved" else ""),
            f"runbook: {annotations.get('runbook', '')}",
            alert["generatorURL"],
        ]))
    return " ".join(subject.split())[:200], "\n\n".join(parts) + f"\n\n-- dbconsole {payload['externalURL']}\n"


def send(channel: Any, payload: dict[str, Any]) -> Sent:
    subject, body = render(payload)
    try:
        sent = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, list(channel.emails)).send()
    except (smtplib.SMTPException, OSError) as exc:
        return Sent(False, error=f"{type(exc).__name__}: {exc}"[:300])
    return Sent(bool(sent), error="" if sent else "the mail backend sent nothing")
