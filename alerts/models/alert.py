"""Alerts: one row per episode of one rule instance on one target — pending, then firing, then resolved.

An episode starts when the condition is first seen (``started_at``, state ``pending``), fires once it
has held for the rule's ``for`` (``fired_at``), and resolves when the condition has been gone for the
rule's ``keep_firing_for`` (``resolved_at``). A condition that clears while still pending ends the
episode quietly (``state = "inactive"``): it never fired, so nobody was told. ``fingerprint`` hashes the
labels (rule, target and the instance's own labels), so it is the same from firing to resolved and for
every later episode of the same thing — what receivers de-duplicate on (PagerDuty's ``dedup_key``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monitoring.models import Target


class AlertState(models.TextChoices):
    PENDING = "pending", "pending"
    FIRING = "firing", "firing"
    RESOLVED = "resolved", "resolved"
    INACTIVE = "inactive", "cleared while pending"


OPEN_STATES = (AlertState.PENDING, AlertState.FIRING)


class Alert(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="alerts")
    rule = models.CharField(max_length=60)
    instance = models.CharField(max_length=300, blank=True, default="",
                                help_text="What the rule found, within the target (a collector, a pid, a slot).")
    fingerprint = models.CharField(max_length=16, db_index=True)
    severity = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=AlertState.choices, default=AlertState.PENDING)
    labels = models.JSONField(default=dict)
    annotations = models.JSONField(default=dict)
    value = models.FloatField(null=True, blank=True)
    link = models.CharField(max_length=500, blank=True, default="", help_text="Path of the page that explains it.")
    started_at = models.DateTimeField(help_text="First evaluation that saw the condition.")
    fired_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True, help_text="Condition last seen gone (hysteresis).")
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(help_text="Last evaluation that saw the condition.")
    flapping = models.BooleanField(default=False)
    inhibited = models.BooleanField(default=False, help_text="Hidden by a firing 'target down' of its target.")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_comment = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["target", "state"], name="alert_target_state"),
            models.Index(fields=["state", "-started_at"], name="alert_state_started"),
        ]
        constraints = [
            # At most one open episode per fingerprint: the evaluation updates it instead of adding one.
            models.UniqueConstraint(fields=["fingerprint"], condition=models.Q(state__in=["pending", "firing"]),
                                    name="alert_one_open_per_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on {self.target_id} ({self.state})"

    @property
    def alertname(self) -> str:
        return str(self.labels.get("alertname", self.rule))

    @property
    def summary(self) -> str:
        return str(self.annotations.get("summary", ""))


class TargetEvaluation(models.Model):
    """The latest evaluation of a target: when, how long it took, and every rule's verdict
    (``{rule: {"status", "summary", "value", "reason", "fix", "sources"}}``) for the settings page."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="alert_evaluation")
    at = models.DateTimeField()
    ms = models.FloatField(default=0.0)
    rules_run = models.IntegerField(default=0)
    verdicts = models.JSONField(default=dict)
    stamps = models.JSONField(default=dict, help_text="Per source collector, the last success seen.")

    def __str__(self) -> str:
        return f"evaluation of {self.target_id} at {self.at:%H:%M:%S}"
