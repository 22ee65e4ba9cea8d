"""Per-target settings of a rule: switched off, another ``for`` or ``keep_firing_for``, parameters.

Thresholds are not here: they live in ``dbconsole.thresholds`` with the target's overrides on
``Target.thresholds`` (one home for every grade). A row with ``target`` NULL applies to every target
that has no row of its own.
"""

from __future__ import annotations

from django.db import models

from monitoring.models import Target


class RuleSetting(models.Model):
    target = models.ForeignKey(Target, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="alert_rule_settings")
    rule = models.CharField(max_length=60)
    enabled = models.BooleanField(default=True)
    for_s = models.PositiveIntegerField(null=True, blank=True, help_text="Overrides the rule's `for` (seconds).")
    keep_firing_s = models.PositiveIntegerField(null=True, blank=True,
                                                help_text="Overrides the rule's keep_firing_for (seconds).")
    params = models.JSONField(default=dict, blank=True, help_text="Rule parameters, e.g. a disk's size limit.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["target", "rule"], name="rule_setting_unique"),
            models.UniqueConstraint(fields=["rule"], condition=models.Q(target__isnull=True),
                                    name="rule_setting_fleet_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on {self.target_id or 'every target'}"
