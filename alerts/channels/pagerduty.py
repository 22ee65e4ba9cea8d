"""PagerDuty Events API v2: one event per alert, ``dedup_key`` = the alert's fingerprint, so a firing
alert triggers (or updates) one incident and its resolution resolves that same incident."""

from __future__ import annotations

from typing import Any

from alerts.channels.base import Sent
from alerts.channels.http import post_json

KIND = "pagerduty"
EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITY = {"critical": "critical", "warning": "warning", "info": "info"}


def event(routing_key: str, alert: dict[str, Any]) -> dict[str, Any]:
    labels, annotations = alert["labels"], alert["annotations"]
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "resolve" if alert["status"] == "resolved" else "trigger",
        "dedup_key": alert["fingerprint"],
    }
    if body["event_action"] == "trigger":
        body["payload"] = {
            "summary": f"{labels.get('target', '')}: {annotations.get('summary', '')}"[:1024],
            "source": labels.get("target", "dbconsole"),
            "severity": SEVERITY.get(labels.get("severity", ""), "error"),
            "timestamp": alert["startsAt"],
            "component": labels.get("target", ""),
            "class": labels.get("alertname", ""),
            "custom_details": {"labels": labels, "annotations": annotations},
        }
        body["links"] = [{"href": alert["generatorURL"], "text": "dbconsole"}]
        body["client"] = "dbconsole"
        body["client_url"] = alert["generatorURL"]
    return body


def send(channel: Any, payload: dict[str, Any]) -> Sent:
    url = channel.url or EVENTS_URL
    key = channel.get_secret()
    for alert in payload["alerts"]:
        sent = post_json(url, event(key, alert))
        if not sent.ok:
            return sent   # the retry sends them all again: PagerDuty de-duplicates on dedup_key
    return Sent(True, 202)
