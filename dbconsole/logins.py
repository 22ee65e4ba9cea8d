"""Login protection and its audit trail.

django-axes counts failed logins per user name and per client address and refuses further attempts
once either reaches ``DBCONSOLE_LOGIN_FAILURE_LIMIT`` (settings.py). This module adds what dbconsole
needs on top, on both login forms (``/accounts/login/`` and ``/admin/login/``, which both authenticate
through Django's ``authenticate()``):

* every successful login, failed login (with the reason), lockout, logout and unlock in the audit log,
  with the user name attempted and the client address;
* ``unlock``: the one way to lift a lockout before its cool-off ends, used by ``manage.py unlock``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from dbconsole import audit

# Marks a request whose attempt axes refused before any password was checked.
_REFUSED = "_dbconsole_login_refused"
# Axes reports a lockout while it handles the failure signal, before or after our own receiver: the
# audit writes the failure first and the lockout it caused second, whichever order the receivers run in.
_FAILURE_AUDITED = "_dbconsole_login_failure_audited"
_LOCKOUT = "_dbconsole_login_lockout"
USERNAME_MAX = 150  # AuditEvent.actor_name; Django's login forms refuse longer names before authenticating


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS``; it authenticates nobody itself.

    It only notes on the request that the attempt was refused because of a lockout, so the audit can
    tell "wrong password" from "not even tried".
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        try:
            super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, _REFUSED, True)
            raise


def attempted_name(value: object) -> str:
    """The user name as typed, made storable: no NUL (PostgreSQL text refuses it), at most 150 chars."""
    text = "" if value is None else str(value)
    return text.replace("\x00", "\\x00")[:USERNAME_MAX]


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the name axes counts failures for. Django's login forms cap a user
    name's length only in the HTML, so a longer one reaches ``authenticate()`` and would overflow axes'
    255-character column (an HTTP 500); counting it under its first 150 characters is what we store."""
    value = credentials.get("username") if credentials else getattr(request, "POST", {}).get("username")
    return None if value is None else attempted_name(value)


def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record("login.success", actor=user, request=request, path=_path(request))


def _on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record("login.logout", actor=user, request=request)


def _on_failure(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                **kwargs: Any) -> None:
    name = attempted_name(credentials.get("username"))
    reason = "locked out" if getattr(request, _REFUSED, False) else "wrong user name or password"
    audit.record("login.failed", request=request, actor_name=name, username=name, reason=reason,
                 path=_path(request))
    if request is None:
        return
    setattr(request, _FAILURE_AUDITED, True)
    lockout = getattr(request, _LOCKOUT, None)
    if lockout is not None:  # axes saw this failure first and locked: audit it after the failure itself
        audit.record("login.locked_out", request=request, **lockout)


def _on_lockout(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None,
                **kwargs: Any) -> None:
    if getattr(request, _REFUSED, False):
        return  # already locked: this attempt is audited as a refused login.failed, not a new lockout
    name = attempted_name(username)
    lockout: dict[str, Any] = {"actor_name": name, "username": name, "address": ip_address,
               "failures": getattr(request, "axes_failures_since_start", None),
               "limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": settings.LOGIN_COOLOFF_MINUTES or None,
               "path": _path(request)}
    if getattr(request, _FAILURE_AUDITED, False):
        audit.record("login.locked_out", request=request, **lockout)
    else:
        setattr(request, _LOCKOUT, lockout)


def _path(request: HttpRequest | None) -> str:
    return request.path[:200] if request is not None else ""


def connect() -> None:
    """Called once from ``DbconsoleConfig.ready``."""
    user_logged_in.connect(_on_login, dispatch_uid="dbconsole.logins.login")
    user_logged_out.connect(_on_logout, dispatch_uid="dbconsole.logins.logout")
    user_login_failed.connect(_on_failure, dispatch_uid="dbconsole.logins.failure")
    user_locked_out.connect(_on_lockout, dispatch_uid="dbconsole.logins.lockout")


# -- lockouts, for the unlock command ----------------------------------------------------------------

@dataclass(frozen=True)
class Lockout:
    kind: str  # "user" | "address"
    key: str
    failures: int


def current_lockouts() -> list[Lockout]:
    """User names and addresses whose failures within the cool-off reach the limit."""
    attempts = AccessAttempt.objects.all()
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    limit = settings.AXES_FAILURE_LIMIT
    found: list[Lockout] = []
    for kind, field in (("user", "username"), ("address", "ip_address")):
        totals = attempts.values(field).annotate(failures=Sum("failures_since_start")).filter(failures__gte=limit)
        found += [Lockout(kind, str(row[field]), int(row["failures"])) for row in totals.order_by(field)
                  if row[field]]
    return found


def unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Forget the failed logins of ``username`` and/or from ``address`` (audited); returns how many
    attempt records were removed."""
    with transaction.atomic():
        removed = 0
        if username:
            removed += AxesProxyHandler.reset_attempts(username=username)
        if address:
            removed += AxesProxyHandler.reset_attempts(ip_address=address)
        audit.record("login.unlock", username=username or "", address=address or "", removed=removed)
    return removed
