"""Notifications sent to channels and every attempt to deliver them.

A ``NotificationGroup`` is what Alertmanager calls an aggregation group: per channel, the alerts of one
group key (target + alert name) — it remembers which fingerprints were firing when it last notified, so
the next flush knows whether anything is new, resolved, or due again after the repeat interval. Each
message is a ``Notification`` with its exact payload; each try a ``DeliveryAttempt`` (status, error,
time): a channel that fails is visible on the page, never lost silently.
"""

from __future__ import annotations

from django.db import models

from alerts.models.channel import Channel


class NotificationGroup(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="groups")
    group_key = models.CharField(max_length=300)
    labels = models.JSONField(default=dict)
    firing = models.JSONField(default=list, help_text="Fingerprints firing at the last notification.")
    last_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "group_key"], name="notification_group_unique")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.group_key}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "queued"
    RETRYING = "retrying", "retrying"
    DELIVERED = "delivered", "delivered"
    FAILED = "failed", "failed"


class Notification(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    group = models.ForeignKey(NotificationGroup, on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=10, help_text="firing or resolved: the payload's status.")
    reason = models.CharField(max_length=20, help_text="new, resolved, repeat or test.")
    payload = models.JSONField(help_text="The Alertmanager-compatible message (the same for every kind).")
    alert_ids = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.status} {self.state}"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    ms = models.FloatField(default=0.0)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} {'ok' if self.ok else 'failed'} at {self.at:%H:%M:%S}"
