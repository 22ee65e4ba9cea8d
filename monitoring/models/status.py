"""Per-target, per-collector health: what the fleet overview shows and what operators act on."""

from __future__ import annotations

from django.db import models

from monitoring.models.target import Target

# A run that stored its data, all of it or part of it.
OK_STATUSES = frozenset({"ok", "partial"})


class CollectorStatus(models.Model):
    """The outcome of the latest run of one collector on one target.

    ``status`` is ``ok``, ``partial`` (stored, but part of the data was unavailable — ``reason`` and
    ``hint`` say what and how to fix it) or a ``TargetError`` status such as ``auth_failed``,
    ``unreachable``, ``missing_extension``, ``permission_denied``, ``timeout``.
    """

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="collector_statuses")
    collector = models.CharField(max_length=32)
    status = models.CharField(max_length=32, default="never")
    reason = models.TextField(blank=True, default="")
    hint = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="",
                                  help_text="Reason of the latest failure, kept after recovery.")
    last_duration_ms = models.FloatField(null=True, blank=True)
    last_rows = models.IntegerField(null=True, blank=True)
    consecutive_failures = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "collector"], name="collector_status_unique")]

    def __str__(self) -> str:
        return f"{self.target_id}/{self.collector}: {self.status}"

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES
