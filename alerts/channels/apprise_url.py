"""apprise, for the long tail of services (Microsoft Teams, Telegram, Discord, Matrix, Opsgenie, …):
the channel's secret is an apprise URL (``tgram://token/chat``, ``msteams://…``, ``json://host/path``);
apprise formats and sends the title and body."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from alerts.channels.base import Sent
from alerts.channels.email import render

KIND = "apprise"


def validate(url: str) -> str:
    import apprise

    if apprise.Apprise.instantiate(url.strip()) is None:
        raise ValidationError("apprise does not recognise this URL (see apprise's list of services)")
    return url.strip()


def send(channel: Any, payload: dict[str, Any]) -> Sent:
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(channel.get_secret()):
        return Sent(False, error="apprise does not recognise the stored URL")
    title, body = render(payload)
    ok = notifier.notify(title=title, body=body)
    return Sent(bool(ok), error="" if ok else "apprise could not deliver (see the worker log)")
