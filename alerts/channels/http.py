"""One POST of JSON, for the HTTP kinds: timeouts from settings, no redirects followed (a webhook that
redirects elsewhere is misconfigured, and following it would send the alert somewhere nobody chose),
the answer summarised into a ``Sent`` — never the URL, which may carry a token."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings

from alerts.channels.base import Sent

USER_AGENT = "dbconsole-alerts/1"


def post_json(url: str, body: dict[str, Any] | list[Any]) -> Sent:
    try:
        response = requests.post(url, json=body, timeout=(5, settings.ALERTS_HTTP_TIMEOUT_S),
                                 allow_redirects=False, headers={"User-Agent": USER_AGENT})
    except requests.Timeout:
        return Sent(False, error="timed out")
    except requests.ConnectionError as exc:
        return Sent(False, error=f"cannot connect: {_reason(exc)}")
    except requests.RequestException as exc:
        return Sent(False, error=f"{type(exc).__name__}: {_reason(exc)}")
    if 200 <= response.status_code < 300:
        return Sent(True, response.status_code)
    return Sent(False, response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")


def _reason(exc: Exception) -> str:
    # requests' messages repeat the URL (and with it a token in the path): keep only the cause.
    text = str(exc)
    for marker in ("Caused by ", "Failed to establish a new connection: "):
        if marker in text:
            text = text.rsplit(marker, 1)[1]
    return text.strip("()'\" ")[:200] or type(exc).__name__
