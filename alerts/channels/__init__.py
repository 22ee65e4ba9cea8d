"""Notification channels: one module per kind, each defining ``KIND`` and ``send(channel, payload)``,
discovered with pkgutil (``senders()``). Every kind starts from the same Alertmanager-compatible payload
(``payload.build``) and reports a ``Sent`` — ok or not, the HTTP status, the error — that the delivery
task stores as a ``DeliveryAttempt``.

Our own transports for the four kinds whose shape matters to us — the generic webhook (the payload is
ours and documented), Slack (our message, escaped for Slack), PagerDuty Events v2 (dedup_key = the
fingerprint, trigger/resolve) and email (Django's mail backend, so its outbox in tests) — and apprise for
the long tail (Teams, Telegram, Discord, Matrix, Opsgenie … through one apprise URL).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any

from alerts.channels.base import Sent

NOT_KINDS = {"base", "payload", "http"}


@cache
def senders() -> dict[str, Callable[[Any, dict[str, Any]], Sent]]:
    out = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name in NOT_KINDS:
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        out[loaded.KIND] = loaded.send
    return out
