"""Helpers for view tests that keep CSRF checks on, as a browser would."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse


def csrf_token(client: Client) -> str:
    if "csrftoken" not in client.cookies:
        client.get(reverse("audit-log"))  # any page with a form sets the cookie
    return client.cookies["csrftoken"].value


def post(client: Client, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    """POST with the CSRF token in the header, the way htmx sends it from <body hx-headers>."""
    return client.post(url, data or {}, HTTP_X_CSRFTOKEN=csrf_token(client), **extra)
