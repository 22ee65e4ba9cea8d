"""What every HTMX view shares: telling htmx requests apart, and polling that re-renders only on change.

* ``is_htmx(request)`` / ``is_poll(request, region)`` — an htmx request / one aimed at the element
  ``region`` (a poller's id), which wants only that partial back.
* ``fingerprint(*parts)``, ``unchanged(request, version)``, ``no_change()`` — a poller element carries
  the fingerprint of the data it shows in ``hx-headers`` (``VERSION_HEADER``); the view computes the
  fingerprint of fresh data and, when it matches, answers ``204 No Content``: htmx then leaves the DOM
  alone (no flicker, no lost text selection, no scroll jump). The data, not the HTML, is hashed:
  durations are rendered as ``data-age`` and tick in the browser, so time passing alone is no change.
* ``is_permanent(status)`` / ``stop_polling(response)`` — errors that retrying cannot fix (bad
  password, missing privilege, database gone) are answered with ``HttpResponseStopPolling`` (286):
  htmx swaps the error in and stops asking.

Imports nothing of ours, so every app's views (monitoring, advisor, and the ones to come) and the live
readers that compute fingerprints can use it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseStopPolling

VERSION_HEADER = "X-Dbconsole-Version"
# Statuses of a target error (``monitoring.targets.connect.TargetError.status``) that will not go away
# by asking again a few seconds later.
PERMANENT_ERRORS = frozenset({"auth_failed", "permission_denied", "database_missing", "secret_unreadable",
                              "not_postgres", "ssl_error"})


def is_htmx(request: HttpRequest) -> bool:
    """django-htmx's middleware sets ``request.htmx`` (falsy for ordinary requests)."""
    return bool(getattr(request, "htmx", False))


def is_poll(request: HttpRequest, region: str) -> bool:
    """An htmx request aimed at the region ``region`` (the poller's id): answer with the partial only."""
    return is_htmx(request) and getattr(request, "htmx").target == region  # noqa: B009


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able data (datetimes and other objects via ``str``)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=10).hexdigest()


def unchanged(request: HttpRequest, version: str) -> bool:
    """True when the poller already shows data with this fingerprint."""
    return is_htmx(request) and request.headers.get(VERSION_HEADER) == version


def no_change() -> HttpResponse:
    return HttpResponse(status=204)


def is_permanent(status: str) -> bool:
    return status in PERMANENT_ERRORS


def stop_polling(response: HttpResponse) -> HttpResponse:
    """``response``'s content with status 286: htmx swaps it in and its poller asks no more."""
    stopped = HttpResponseStopPolling(response.content)
    for header in ("Cache-Control", "Vary"):
        if header in response:
            stopped[header] = response[header]
    return stopped
