"""Strict readers for environment variables.

A value that is present but malformed stops the process at start with a message that names the
variable, instead of silently falling back to a default. Every variable read through these helpers
is listed in ``.env.example`` (a test keeps the two in step).
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is above the maximum {maximum}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None or value == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


def env_secret(name: str, *, required: bool, fallback: str | None = None, min_length: int = 32) -> str:
    """A secret that must be present (and long enough) when ``required``; never echoed in errors."""
    value = _raw(name)
    if not value:
        if required or fallback is None:
            raise ImproperlyConfigured(f"{name} must be set (at least {min_length} characters)")
        return fallback
    if len(value) < min_length:
        raise ImproperlyConfigured(f"{name} is too short: use at least {min_length} characters")
    return value


def parse_database_url(name: str, url: str) -> dict[str, object]:
    """``postgresql://user:password@host:port/dbname?sslmode=require`` → a Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "postgresql+psycopg"}:
        raise ImproperlyConfigured(f"{name} must start with postgresql:// (got scheme {parts.scheme!r})")
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname or not parts.hostname:
        raise ImproperlyConfigured(f"{name} must name a host and a database: postgresql://user:pw@host:5432/db")
    try:
        port = parts.port or 5432
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port") from None
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": dbname,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port),
        "OPTIONS": options,
    }
