from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from dbconsole.access import ADMIN, OPERATOR, REVIEWER, has_role, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """``can.operate`` and friends for templates, so buttons show only to who may press them."""
    user = getattr(request, "user", None)
    return {
        "roles": sorted(roles_of(user)),
        "can": {
            "review": has_role(user, REVIEWER),
            "operate": has_role(user, OPERATOR),
            "admin": has_role(user, ADMIN),
        },
    }
