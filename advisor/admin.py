"""The advisor in the Django admin: read mostly; decisions belong to the review pages (audited)."""

from __future__ import annotations

from django.contrib import admin

from advisor.models import AdvisorRun, Decision, MachineFacts, Recommendation


class DecisionInline(admin.TabularInline[Decision, Recommendation]):
    model = Decision
    extra = 0
    can_delete = False
    fields = ("at", "actor_name", "action", "from_status", "to_status", "comment")
    readonly_fields = fields


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin[Recommendation]):
    list_display = ("target", "kind", "object_label", "severity", "status", "last_seen_at")
    list_filter = ("status", "severity", "kind", "target")
    search_fields = ("object_label", "title")
    readonly_fields = [f.name for f in Recommendation._meta.fields]
    inlines = [DecisionInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(AdvisorRun)
class AdvisorRunAdmin(admin.ModelAdmin[AdvisorRun]):
    list_display = ("target", "started_at", "trigger", "status", "created", "reopened", "resolved")
    list_filter = ("status", "trigger", "target")
    readonly_fields = [f.name for f in AdvisorRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(MachineFacts)
class MachineFactsAdmin(admin.ModelAdmin[MachineFacts]):
    """Edited on the target's machine page, which audits every change; shown here read-only."""

    list_display = ("target", "ram_bytes", "cpus", "storage", "updated_at")
    readonly_fields = [f.name for f in MachineFacts._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
