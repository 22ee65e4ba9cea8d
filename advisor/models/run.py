"""One advisor run on one target: which rules ran, which were skipped and why, what changed."""

from __future__ import annotations

from typing import Any

from django.db import models

from monitoring.models import Target


class AdvisorRun(models.Model):
    """``rules`` lists, in evaluation order, ``{"name", "title", "category", "status", "state", "blind",
    "message", "hint", "findings", "ms"}`` per rule, status ``ok``, ``skipped`` or ``error``; ``state``
    the rule's verdict — ``ok``, ``warning``, ``critical`` or ``unknown`` — and ``blind`` what it could
    not see (``{"code", "message", "hint"}``). A skipped or failed
    rule leaves its recommendations as they were: its condition was not checked, so nothing is
    resolved. ``status`` is ``ok`` unless a rule failed (``partial``) or all did (``failed``):
    skipping is not failing. ``index_advice`` summarises the index engine's run (verified or not,
    costs, HypoPG calls, runtime, skipped statements); ``workload`` how many statements of the window the
    index advice considered, planned and skipped, with the reason for each skip
    (:mod:`advisor.rules.workload`)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="advisor_runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=16, default="task", help_text="task, cli or web.")
    status = models.CharField(max_length=16, default="running", help_text="running, ok, partial or failed.")
    message = models.TextField(blank=True, default="")
    options = models.JSONField(default=dict, blank=True)
    rules = models.JSONField(default=list, blank=True)
    index_advice = models.JSONField(default=dict, blank=True)
    workload = models.JSONField(default=dict, blank=True,
                                help_text="Workload statements considered, planned and skipped (with reasons).")
    created = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["target", "-started_at"], name="advisorrun_target_started")]

    def __str__(self) -> str:
        return f"advisor run {self.pk} on {self.target_id} ({self.status})"

    @property
    def rules_by_name(self) -> dict[str, dict[str, Any]]:
        return {r["name"]: r for r in self.rules or []}

    @property
    def not_checked(self) -> list[dict[str, Any]]:
        """Rules that were skipped or failed, for the summary line."""
        return [r for r in self.rules or [] if r.get("status") != "ok"]

    @property
    def unseen(self) -> list[dict[str, Any]]:
        """Rules whose verdict is unknown: skipped, failed, or blind to part of their evidence."""
        return [r for r in self.rules or [] if r.get("state") == "unknown" or r.get("blind")
                or r.get("status") != "ok"]

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
