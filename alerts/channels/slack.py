"""Slack incoming webhook: one message per notification, with the group's status, each alert's summary
and a link. Texts from monitored databases are escaped for Slack's markup (&, <, >), so a query or a
table name cannot become a link or a mention."""

from __future__ import annotations

from typing import Any

from alerts.channels.base import Sent
from alerts.channels.http import post_json

KIND = "slack"
MAX_ALERTS = 10
ICON = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(payload: dict[str, Any]) -> dict[str, Any]:
    alerts = payload["alerts"]
    status = payload["status"].upper()
    title = f"[{status}] {payload['groupLabels'].get('alertname', '')} on {payload['groupLabels'].get('target', '')}"
    lines = []
    for alert in alerts[:MAX_ALERTS]:
        icon = ":white_check_mark:" if alert["status"] == "resolved" else ICON.get(alert["labels"].get("severity"), "")
        link = alert["generatorURL"]
        lines.append(f"{icon} <{link}|{escape(alert['annotations'].get('summary', ''))}>")
    if len(alerts) > MAX_ALERTS:
        lines.append(f"… and {len(alerts) - MAX_ALERTS} more")
    return {
        "text": escape(title),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:2900]}},
        ],
    }


def send(channel: Any, payload: dict[str, Any]) -> Sent:
    return post_json(channel.get_secret(), message(payload))
