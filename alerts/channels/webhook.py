"""Generic webhook: the Alertmanager-compatible payload, as is, POSTed as JSON."""

from __future__ import annotations

from typing import Any

from alerts.channels.base import Sent
from alerts.channels.http import post_json

KIND = "generic"


def send(channel: Any, payload: dict[str, Any]) -> Sent:
    return post_json(channel.get_secret(), payload)
