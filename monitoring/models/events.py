"""Things that happened on a target and that charts should mark: stats resets, restarts, evictions,
settings changes. Lock incidents have their own table (``LockIncident``) and are merged in by the
events selector."""

from __future__ import annotations

from django.db import models

# The kinds are defined with the chart markers they map to (``monitoring.events``); named here too
# because the writers of the history store spell them ``events.RESTART`` next to the model.
from monitoring.events import DATABASE_STATS_RESET as DATABASE_STATS_RESET
from monitoring.events import RESTART as RESTART
from monitoring.events import SETTINGS_CHANGED as SETTINGS_CHANGED
from monitoring.events import STATEMENT_ENTRIES_RESET as STATEMENT_ENTRIES_RESET
from monitoring.events import STATEMENTS_CUMULATIVE as STATEMENTS_CUMULATIVE
from monitoring.events import STATEMENTS_EVICTED as STATEMENTS_EVICTED
from monitoring.events import STATEMENTS_RESET as STATEMENTS_RESET
from monitoring.models.target import Target


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
