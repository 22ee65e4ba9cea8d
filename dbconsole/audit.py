"""Write the audit trail. Every state-changing action calls ``record`` in the same transaction."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Any, cast

from dbconsole.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest

    from monitoring.models import Target


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    target: Target | None = None,
    request: HttpRequest | None = None,
    **details: Any,
) -> AuditEvent:
    """Record ``action`` (e.g. ``"backend.cancel"``). Without a user the actor is the CLI's OS user."""
    if actor is None and request is not None:
        actor = request.user
    user = cast("User | None", actor if actor is not None and actor.is_authenticated else None)
    name = user.get_username() if user is not None else f"cli:{_os_user()}"
    return AuditEvent.objects.create(
        actor=user,
        actor_name=name,
        action=action,
        target=target if target is not None and target.pk else None,
        target_name=target.name if target is not None else "",
        details=details,
        remote_addr=_client_ip(request),
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
