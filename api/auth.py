"""``Authorization: Bearer <token>`` for the API and ``/metrics`` (and, for ``/metrics``, the token as the
password of HTTP basic auth — what Prometheus' ``basic_auth`` sends).

The token's user, with the roles that user has now, is the request's user; the token's name and
prefix go into ``request.audit_context`` so every state change made with it names it in the audit
trail. A request without credentials is a 401 with ``WWW-Authenticate: Bearer``; a request with a
token that does not exist, expired or whose user is inactive is a 401 too, never a hint which.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpRequest
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api import tokens
from api.models import ApiToken

REALM = 'Bearer realm="dbconsole"'


def _header(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_AUTHORIZATION", ""))


def bearer_secret(request: HttpRequest) -> str | None:
    """The token of ``Authorization: Bearer …``; None when the header is absent or another scheme."""
    scheme, _, value = _header(request).partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def basic_secret(request: HttpRequest) -> tuple[str, str] | None:
    """``(user name, password)`` of ``Authorization: Basic …``; None when absent or malformed."""
    scheme, _, value = _header(request).partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def token_for(request: HttpRequest, *, allow_basic: bool = False) -> ApiToken | None:
    """The live token the request carries (bearer, or basic with the token as the password), else None."""
    secret = bearer_secret(request)
    if secret is not None:
        return tokens.authenticate(secret)
    if allow_basic:
        pair = basic_secret(request)
        if pair is not None:
            found = tokens.authenticate(pair[1])
            if found is not None and found.user.get_username() == pair[0]:
                return found
    return None


def remember(request: HttpRequest, token: ApiToken) -> None:
    """What the audit trail records about the credential behind this request's actions."""
    setattr(request, "audit_context", {"api_token": token.label})  # noqa: B010 (HttpRequest has no such field)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """DRF authentication by personal API token. First in the list, so a 401 says ``WWW-Authenticate``."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        secret = bearer_secret(request._request)
        if secret is None:
            return None
        token = tokens.authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("the token is unknown, expired, revoked or its user inactive")
        remember(request._request, token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return REALM


class SessionAuthentication(authentication.SessionAuthentication):
    """A signed-in browser (the docs page trying calls out): reads as usual; writes need the CSRF token,
    which DRF's session authentication enforces."""
