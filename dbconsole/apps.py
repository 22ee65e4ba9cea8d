from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DbconsoleConfig(AppConfig):
    default = True
    """The project package is also an app: audit trail, roles and the embedded stack's commands."""

    name = "dbconsole"
    verbose_name = "dbconsole"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dbconsole import logins

        logins.connect()


class DbconsoleAdminConfig(admin_apps.AdminConfig):
    """The Django admin, open to users with the admin role (not only to ``is_staff`` accounts)."""

    default = False
    default_site = "dbconsole.admin_site.DbconsoleAdminSite"
