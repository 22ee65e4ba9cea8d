"""Things that happened on a target and that charts should mark: stats resets, restarts, evictions,
settings changes. Lock incidents have their own table (``LockIncident``) and are merged in by the
events selector."""

from __future__ import annotations

from django.db import models

from monitoring.models.target import Target

STATEMENTS_RESET = "statements_reset"
STATEMENTS_EVICTED = "statements_evicted"
STATEMENT_ENTRIES_RESET = "statement_entries_reset"
RESTART = "restart"
DATABASE_STATS_RESET = "database_stats_reset"
SETTINGS_CHANGED = "settings_changed"


class Event(models.Model):
    """``dedupe_key`` makes recording idempotent: two collectors that both notice the same restart
    record it once."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=40)
    collector = models.CharField(max_length=32, blank=True, default="")
    message = models.TextField(blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "kind", "dedupe_key"], name="event_dedupe"),
        ]
        indexes = [models.Index(fields=["target", "at"], name="event_target_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
