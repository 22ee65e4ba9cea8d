"""Silences and maintenance windows: alerts matching them still show on the pages (as silenced) but
notify nobody while the silence is active.

A silence matches an alert when every matcher it has matches: its target (or every target), its rule
(or every rule) and each ``labels`` pair (exact value). A maintenance window is a silence of a whole
target, planned ahead (``starts_at`` in the future), usually without a rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from monitoring.models import Target


class Silence(models.Model):
    SILENCE, MAINTENANCE = "silence", "maintenance"

    kind = models.CharField(max_length=12, default=SILENCE, choices=[(SILENCE, "silence"),
                                                                      (MAINTENANCE, "maintenance window")])
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.CASCADE, related_name="silences")
    rule = models.CharField(max_length=60, blank=True, default="")
    labels = models.JSONField(default=dict, blank=True, help_text='Extra label matchers, e.g. {"collector": "bloat"}.')
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    expired_at = models.DateTimeField(null=True, blank=True, help_text="Ended early by an operator.")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["ends_at"], name="silence_ends")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} until {self.ends_at:%Y-%m-%d %H:%M}"

    def active(self, at: dt.datetime) -> bool:
        return self.starts_at <= at < self.ends_at and (self.expired_at is None or at < self.expired_at)

    def matches(self, target_id: int, labels: dict[str, Any]) -> bool:
        if self.target_id is not None and self.target_id != target_id:
            return False
        if self.rule and labels.get("alertname") != self.rule:
            return False
        return all(str(labels.get(k)) == str(v) for k, v in (self.labels or {}).items())
