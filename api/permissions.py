"""The web's roles (``dbconsole.access``) on the API: each view names the role every method needs in
``roles`` (``{"GET": VIEWER, "POST": ADMIN}``); a method not listed needs only some role, and is then
answered 405 by the view. No credentials: 401; a user without the role: 403."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from dbconsole.access import VIEWER, has_role


class HasRole(BasePermission):
    message = "your role may not do this"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return False
        needed = getattr(view, "roles", {}).get(request.method or "GET", VIEWER)
        if not has_role(user, needed):
            self.message = f"this needs the {needed} role" if needed != VIEWER else "your account has no role"
            return False
        return True
