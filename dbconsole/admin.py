from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dbconsole.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "actor_name", "action", "target_name")
    list_filter = ("action",)
    search_fields = ("actor_name", "action", "target_name")

    # The trail is append-only, even for admins.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
