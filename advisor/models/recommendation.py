"""Recommendations and the decisions taken on them.

A recommendation is identified by ``(target, kind, object_key)``: re-running the advisor updates the
same row instead of adding one, so its review history stays attached to it. Its ``fingerprint`` hashes
the *material* part of its evidence (``material``: what a reviewer's decision depends on, e.g. the
index definition and its size class — not the ever-changing scan counts), which is how a dismissed
recommendation knows whether to stay dismissed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from advisor.models.kinds import kind_title
from monitoring.models import Target


class Severity(models.TextChoices):
    """``unknown``: the advisor could not see the evidence (a missing grant, a collector that failed,
    too little history). It ranks with warnings: not known to be bad, but never a pass."""

    INFO = "info", "info"
    UNKNOWN = "unknown", "unknown"
    WARNING = "warning", "warning"
    CRITICAL = "critical", "critical"

    @classmethod
    def rank_of(cls, value: str) -> int:
        return {"info": 0, "unknown": 1, "warning": 1, "critical": 2}[value]


class Status(models.TextChoices):
    OPEN = "open", "open"
    ACCEPTED = "accepted", "accepted"
    DISMISSED = "dismissed", "dismissed"
    SNOOZED = "snoozed", "snoozed"
    APPLIED = "applied", "applied"
    RESOLVED = "resolved", "resolved"


# Statuses that still ask for someone's attention (or for the advisor to keep watching).
ACTIVE_STATUSES = (Status.OPEN, Status.ACCEPTED)


class Category(models.TextChoices):
    INDEXES = "indexes", "indexes"
    MAINTENANCE = "maintenance", "maintenance"
    CONFIGURATION = "configuration", "configuration"


class Recommendation(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(max_length=40)
    object_key = models.CharField(max_length=500, help_text="Stable identity of the object within the kind.")
    object_label = models.CharField(max_length=300)
    table = models.CharField(max_length=130, blank=True, default="", help_text="schema.table it concerns, if any.")
    category = models.CharField(max_length=20, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0, help_text="0 info, 1 unknown or warning, 2 critical.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True, default="")
    evidence = models.JSONField(default=dict, blank=True)
    material = models.JSONField(default=dict, blank=True, help_text="What the fingerprint hashes.")
    fingerprint = models.CharField(max_length=64)
    benefit = models.TextField(blank=True, default="")
    cost = models.TextField(blank=True, default="")
    benefit_score = models.FloatField(null=True, blank=True, help_text="Sort key within a kind; bigger is better.")
    changes = models.JSONField(default=list, blank=True, help_text="Change specs a migration draft is built from.")
    verified = models.BooleanField(null=True, blank=True,
                                   help_text="Index advice: checked with HypoPG (True) or a heuristic (False).")
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(blank=True, default="")
    dismissed_fingerprint = models.CharField(max_length=64, blank=True, default="",
                                             help_text="The fingerprint a dismissal applies to.")
    conditions = models.JSONField(default=dict, blank=True,
                                  help_text="The run conditions (options, rules run before) it was last found under.")
    resolved_from = models.CharField(max_length=10, blank=True, default="",
                                     help_text="The status it had when it was resolved, restored if it comes back.")
    last_run = models.ForeignKey("advisor.AdvisorRun", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "kind", "object_key"], name="recommendation_key"),
        ]
        indexes = [
            models.Index(fields=["target", "status"], name="recommendation_target_status"),
            models.Index(fields=["status", "-severity_rank"], name="recommendation_status_sev"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_label} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("advisor-detail", args=[self.target.name, self.pk])

    @property
    def has_draft(self) -> bool:
        return bool(self.changes)

    @property
    def kind_title(self) -> str:
        return kind_title(self.kind)


class Decision(models.Model):
    """One entry of a recommendation's history: a person's decision or comment, or what the advisor did
    by itself (created, resolved, reopened). ``actor`` is empty for the advisor."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="decisions")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150)
    action = models.CharField(max_length=24)
    from_status = models.CharField(max_length=10, blank=True, default="")
    to_status = models.CharField(max_length=10, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recommendation", "at"], name="decision_rec_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    @property
    def by_advisor(self) -> bool:
        return self.actor_id is None and self.actor_name == ADVISOR_ACTOR

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action.replace("_", " "))


ADVISOR_ACTOR = "advisor"
ACTION_LABELS = {
    "created": "found it",
    "resolved": "resolved it: the condition is gone",
    "restored": "saw it again: the earlier decision holds",
    "reopened": "reopened it",
    "snooze_ended": "reopened it: the snooze ended",
    "detected_again": "saw it again",
    "commented": "commented",
}
