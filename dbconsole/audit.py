"""Write the audit trail. Every state-changing action calls ``record`` in the same transaction.

An authentication layer may leave ``request.audit_context`` (a dict): ``record`` adds it to the details,
so an action taken with an API token names the token (``api_token``) wherever the action is recorded.
"""

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
    actor_name: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Record ``action`` (e.g. ``"backend.cancel"``).

    The actor is ``actor``, else the request's user. Without a signed-in user it is ``actor_name`` (a
    login attempt names the user name tried), else ``anonymous`` for a web request and the OS user for
    the command line.
    """
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = cast("User | None", actor if actor is not None and actor.is_authenticated else None)
    if user is not None:
        name = user.get_username()
    elif actor_name is not None:
        name = actor_name
    elif request is not None:
        name = "anonymous"
    else:
        name = f"cli:{_os_user()}"
    context = getattr(request, "audit_context", None)
    if isinstance(context, dict):
        details = {**details, **context}
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
