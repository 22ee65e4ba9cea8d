"""What every channel kind shares: the outcome of one try, and validation of admin-given addresses."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Sent:
    ok: bool
    status_code: int | None = None
    error: str = ""


def validate_http_url(url: str) -> str:
    """An http(s) URL with a host and nothing that could smuggle a second line into a request."""
    url = (url or "").strip()
    if not url:
        raise ValidationError("a URL is required")
    if any(ch in url for ch in "\r\n\t ") or any(ord(ch) < 32 for ch in url):
        raise ValidationError("the URL contains spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise ValidationError(f"only http and https URLs are accepted, not {parts.scheme or 'no scheme'!r}")
    if not parts.hostname:
        raise ValidationError("the URL has no host")
    try:
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        raise ValidationError("the URL's port is not a number from 1 to 65535") from None
    return url
