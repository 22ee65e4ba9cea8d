"""HTMX polling that re-renders only when something changed, and stops when it cannot succeed.

A poller element carries the fingerprint of the data it shows in ``hx-headers``; the view computes
the fingerprint of fresh data and, when it matches, answers ``204 No Content`` — htmx then leaves the
DOM alone (no flicker, no lost text selection, no scroll jump). The data, not the HTML, is hashed:
durations are rendered as ``data-age`` and tick in the browser, so time passing alone is no change.

Errors that retrying cannot fix (bad password, missing privilege, database gone) are answered with
``HttpResponseStopPolling`` (286): htmx swaps the error in and stops asking.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse

VERSION_HEADER = "X-Dbconsole-Version"
# TargetError statuses that will not go away by asking again a few seconds later.
PERMANENT_ERRORS = frozenset({"auth_failed", "permission_denied", "database_missing", "secret_unreadable",
                              "not_postgres", "ssl_error"})


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able data (datetimes and other objects via ``str``)."""
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(blob.encode(), digest_size=10).hexdigest()


def unchanged(request: HttpRequest, version: str) -> bool:
    """True when the poller already shows data with this fingerprint."""
    return bool(getattr(request, "htmx", False)) and request.headers.get(VERSION_HEADER) == version


def no_change() -> HttpResponse:
    return HttpResponse(status=204)


def is_permanent(status: str) -> bool:
    return status in PERMANENT_ERRORS
