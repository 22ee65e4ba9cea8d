"""Sequences and the integer columns they feed, one snapshot per sequences collection (daily)."""

from __future__ import annotations

from django.db import models

from monitoring.models.target import Target


class SequenceSnapshot(models.Model):
    """``sequences`` is a list of dicts: schema, name, column (``table.column`` or empty), data_type,
    column_type, last_value, max_value, percent_used (of the tighter of the column type and the
    sequence maximum), readable (false when the monitoring role may not read ``last_value``)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="sequence_snapshots")
    captured_at = models.DateTimeField()
    sequences = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["target", "captured_at"], name="sequencesnap_target_at")]

    def __str__(self) -> str:
        return f"{len(self.sequences)} sequences at {self.captured_at:%Y-%m-%d}"
