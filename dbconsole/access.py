"""Roles and what they may do.

* **viewer** — reads every page (history, live activity, locks, recommendations).
* **reviewer** — viewer + accepts, dismisses, snoozes and comments on recommendations; generates drafts.
* **operator** — viewer + cancels or terminates backends, runs EXPLAIN ANALYZE and EXPLAINs pasted SQL.
* **admin** — everything: targets, users, the Django admin.

Roles are Django groups created by a data migration. A superuser counts as admin. A signed-in user
with no role sees a page that says so and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

VIEWER = "viewer"
REVIEWER = "reviewer"
OPERATOR = "operator"
ADMIN = "admin"
ROLES = (VIEWER, REVIEWER, OPERATOR, ADMIN)


def roles_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_dbconsole_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = frozenset(names)
        user._dbconsole_roles = cached
    return cached


def has_role(user: Any, role: str) -> bool:
    """Admins may do everything; every role may view."""
    roles = roles_of(user)
    if ADMIN in roles:
        return True
    if role == VIEWER:
        return bool(roles)
    return role in roles


def role_required(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a view: 403 unless the user has ``role``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, role):
                raise PermissionDenied(f"this needs the {role} role")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMiddleware:
    """After login, every page still needs at least one role (login itself and logout are exempt)."""

    # The API and /metrics check roles themselves and answer in their own formats (JSON, text).
    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/metrics")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and not roles_of(user)
        ):
            return render(request, "no_role.html", status=403)
        return self.get_response(request)


class RoleBackend(ModelBackend):
    """Members of the admin group hold every model permission (what the Django admin checks)."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if user_obj.is_active and ADMIN in roles_of(user_obj):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        if user_obj.is_active and ADMIN in roles_of(user_obj):
            return True
        return super().has_module_perms(user_obj, app_label)
