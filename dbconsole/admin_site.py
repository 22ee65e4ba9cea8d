from __future__ import annotations

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from dbconsole.access import ADMIN, has_role


class DbconsoleAdminSite(AdminSite):
    site_header = "dbconsole administration"
    site_title = "dbconsole"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and has_role(request.user, ADMIN))
