"""Lock incidents: a tree of waiting sessions rooted at one blocking transaction, followed over time
so it can be replayed. One incident per root transaction (pid, backend start, transaction start); one
sample per locks collection while it lasts, holding the whole tree as JSON."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from monitoring.models.target import Target


class LockIncident(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="lock_incidents")
    started_at = models.DateTimeField(help_text="First time a collection saw this tree.")
    last_seen_at = models.DateTimeField()
    root_pid = models.IntegerField()
    root_backend_start = models.DateTimeField(null=True, blank=True)
    root_xact_start = models.DateTimeField(null=True, blank=True)
    root_usename = models.CharField(max_length=63, blank=True, default="")
    root_application = models.CharField(max_length=255, blank=True, default="")
    root_state = models.CharField(max_length=40, blank=True, default="")
    root_query = models.TextField(blank=True, default="")
    relations = ArrayField(models.TextField(), default=list, blank=True)
    modes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    max_waiters = models.IntegerField(default=0)
    max_depth = models.IntegerField(default=0)
    max_wait_seconds = models.FloatField(default=0.0)
    samples = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["target", "started_at"], name="lockincident_target_start")]

    def __str__(self) -> str:
        return f"lock incident {self.pk} rooted at pid {self.root_pid}"


class LockSample(models.Model):
    incident = models.ForeignKey(LockIncident, on_delete=models.CASCADE, related_name="lock_samples")
    captured_at = models.DateTimeField()
    waiters = models.IntegerField()
    longest_wait_seconds = models.FloatField()
    tree = models.JSONField(help_text="LockNode.as_dict() of the root: the whole tree.")

    class Meta:
        indexes = [models.Index(fields=["incident", "captured_at"], name="locksample_incident_at")]

    def __str__(self) -> str:
        return f"incident {self.incident_id} at {self.captured_at:%H:%M:%S}"
