"""Making, finding and revoking API tokens — shared by ``manage.py api-token`` and the tokens page, always
audited.

The secret is 32 random bytes; what we store is its SHA-256 (a slow password hash would buy nothing for
a random 256-bit value and would cost every request). Lookups go by that digest, so the clear token is
never compared character by character against anything stored.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiToken
from dbconsole import audit

SCHEME = "dbc_"
PREFIX_CHARS = 12                     # "dbc_" + 8 characters of the secret, kept in clear
TOKEN_RE = re.compile(r"^dbc_[A-Za-z0-9_-]{43}$")
NAME_MAX = 100
EXPIRES_RE = re.compile(r"^([0-9]{1,4})([dh])$")
MAX_LIFETIME = dt.timedelta(days=3650)
DEFAULT_EXPIRES = "90d"
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often per token


class TokenError(ValueError):
    """A name, user or lifetime that cannot be used; the message is safe to show."""


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str          # the whole token: shown once, never stored


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_expires(text: str) -> dt.timedelta | None:
    """``90d``, ``12h`` or ``never`` (None)."""
    text = text.strip().lower()
    if text == "never":
        return None
    found = EXPIRES_RE.match(text)
    if not found:
        raise TokenError(f"expires must look like 90d, 12h or never, not {text[:20]!r}")
    number, unit = int(found.group(1)), found.group(2)
    lifetime = dt.timedelta(days=number) if unit == "d" else dt.timedelta(hours=number)
    if lifetime <= dt.timedelta(0):
        raise TokenError("a token must live at least an hour")
    if lifetime > MAX_LIFETIME:
        raise TokenError("a token may live at most 3650 days; use 'never' for no expiry")
    return lifetime


def clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TokenError("the token needs a name")
    if len(name) > NAME_MAX:
        raise TokenError(f"the name may have at most {NAME_MAX} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise TokenError("the name may not contain control characters")
    return name


def create_token(user: User, *, name: str = "", expires: dt.timedelta | None, actor: Any = None,
                 request: Any = None) -> Issued:
    """A new token for ``user``; ``expires`` is its lifetime (None: never). Audited as ``api.token.create``."""
    if not user.is_active:
        raise TokenError(f"user {user.get_username()!r} is inactive")
    secret = SCHEME + secrets.token_urlsafe(32)
    prefix = secret[:PREFIX_CHARS]
    name = clean_name(name or f"token {prefix}")
    now = timezone.now()
    creator = _creator(actor if actor is not None else getattr(request, "user", None))
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, prefix=prefix, digest=digest_of(secret), created_by=creator,
                expires_at=now + expires if expires is not None else None,
            )
            audit.record("api.token.create", actor=actor, request=request, user=user.get_username(),
                         token=token.label, expires_at=token.expires_at.isoformat() if token.expires_at else None)
    except IntegrityError:
        raise TokenError(f"{user.get_username()} already has a token named {name!r}") from None
    return Issued(token=token, secret=secret)


def _creator(actor: Any) -> str:
    if actor is not None and actor.is_authenticated:
        return str(actor.get_username())
    return f"cli:{_os_user()}"


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def authenticate(secret: str) -> ApiToken | None:
    """The live token whose secret this is (its user active, not expired), else None."""
    if not TOKEN_RE.match(secret):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=digest_of(secret)).first()
    if token is None or token.expired or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def visible_to(user: Any, *, everyone: bool) -> list[ApiToken]:
    """The tokens a page lists: the user's own, or with ``everyone`` (admins) every user's."""
    qs = ApiToken.objects.select_related("user").order_by("user__username", "name")
    return list(qs if everyone else qs.filter(user=user))


def revoke_token(token: ApiToken, *, actor: Any = None, request: Any = None) -> None:
    """Delete the token (it stops working at once); the audit trail keeps its name and prefix."""
    with transaction.atomic():
        audit.record("api.token.revoke", actor=actor, request=request, user=token.user.get_username(),
                     token=token.label)
        token.delete()
